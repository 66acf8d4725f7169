import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EXAMPLE_ROUTER_A } from "../../src/config/docs";
import { anonymousSectionId, parseUci, type UciPackage } from "../../src/config/uci";
import { Rng, uciFile } from "./fuzz-inputs";

function parsed(text: string): UciPackage {
  const r = parseUci(text);
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`);
  return r.package;
}

/** The section's options as { name: value | [items] }, for compact assertions. */
function options(text: string, index = 0): Record<string, string | string[]> {
  const s = parsed(text).sections[index];
  const out: Record<string, string | string[]> = {};
  for (const o of s?.options ?? []) out[o.name] = o.isList ? [...o.values] : (o.values[0] ?? "");
  return out;
}

function errors(text: string): string[] {
  const r = parseUci(text);
  return r.ok ? [] : r.errors.map((e) => `${e.line}: ${e.message}`);
}

describe("parseUci: structure", () => {
  it("reads package, named and anonymous sections, options and lists", () => {
    const pkg = parsed(
      "package floatgw\n\nconfig floatgw 'global'\n\toption enabled '1'\n\nconfig vip\n\tlist address 'a'\n\tlist address 'b'\n",
    );
    expect(pkg.name).toBe("floatgw");
    expect(pkg.sections.map((s) => [s.type, s.name, s.anonymous, s.ref, s.line])).toEqual([
      ["floatgw", "global", false, "global", 3],
      ["vip", anonymousSectionId(2, "vip"), true, "@vip[0]", 6],
    ]);
    expect(pkg.sections[1]?.options).toEqual([{ name: "address", isList: true, values: ["a", "b"], lines: [7, 8] }]);
  });

  it("names anonymous sections like libuci: cfg + position + type hash", () => {
    // Well-known ids from stock OpenWrt configs.
    expect(anonymousSectionId(1, "system")).toBe("cfg01e48a");
    expect(anonymousSectionId(1, "dnsmasq")).toBe("cfg01411c");
    expect(anonymousSectionId(2, "zone")).toBe("cfg02dc81");
    const pkg = parsed("config vip 'a'\nconfig vip\nconfig other\nconfig vip\n");
    expect(pkg.sections.map((s) => s.ref)).toEqual(["a", "@vip[1]", "@other[0]", "@vip[2]"]);
    expect(pkg.sections[1]?.name).toBe(anonymousSectionId(2, "vip"));
    expect(pkg.sections[3]?.name).toBe(anonymousSectionId(4, "vip"));
  });

  it("accepts the one-letter command forms", () => {
    expect(options("c vip 'x'\no vrid 5\nl address a\n")).toEqual({ vrid: "5", address: ["a"] });
  });

  it("reopens a named section and merges its options", () => {
    const pkg = parsed("config vip 'x'\n\toption a 1\nconfig vip 'y'\nconfig vip 'x'\n\toption b 2\n");
    expect(pkg.sections).toHaveLength(2);
    expect(options("config vip 'x'\n\toption a 1\nconfig vip 'x'\n\toption b 2\n")).toEqual({ a: "1", b: "2" });
  });

  it("replaces options in place, appends lists, and turns an option into a list", () => {
    expect(options("config t\noption a 1\noption b 2\noption a 3\n")).toEqual({ a: "3", b: "2" });
    expect(Object.keys(options("config t\noption a 1\noption b 2\noption a 3\n"))).toEqual(["a", "b"]);
    expect(options("config t\noption a 1\nlist a 2\n")).toEqual({ a: ["1", "2"] });
    expect(options("config t\nlist a 1\noption a 2\n")).toEqual({ a: "2" });
  });

  it("treats an empty value as absent: it deletes the option, and an empty name is anonymous", () => {
    expect(options("config t\noption a 1\noption a ''\noption b\n")).toEqual({});
    expect(parsed("config vip ''\n").sections[0]?.anonymous).toBe(true);
    expect(options("config t\nlist a ''\n")).toEqual({ a: [""] });
  });
});

describe("parseUci: lexical rules", () => {
  it("skips comments and blank lines, and '#' ends a line outside quotes", () => {
    expect(options("# head\n\n  \t\nconfig t # comment\n\t# indented\n\toption a b#c\n\toption d 'e#f' # g\n")).toEqual({
      a: "b",
      d: "e#f",
    });
  });

  it("glues quoted and unquoted pieces, keeps quotes' contents literally", () => {
    expect(options(`config t\noption a x'y z'"w"\noption b "it's"\noption c 'say "hi"'\n`)).toEqual({
      a: "xy zw",
      b: "it's",
      c: 'say "hi"',
    });
  });

  it("takes the character after a backslash literally, except inside single quotes", () => {
    expect(options(String.raw`config t
option a x\ y
option b "q\"r\\s\nt"
option c 'u\v'
option d \'w
`)).toEqual({ a: "x y", b: 'q"r\\snt', c: "u\\v", d: "'w" });
  });

  it("joins lines after a trailing backslash, unquoted or in double quotes", () => {
    const pkg = parsed('config t\noption a one\\\ntwo\noption b "th\\\nree"\noption c 4\n');
    expect(pkg.sections[0]?.options.map((o) => [o.name, o.values[0], o.lines[0]])).toEqual([
      ["a", "onetwo", 2],
      ["b", "three", 4],
      ["c", "4", 6],
    ]);
    expect(options("config t\noption a x\\\r\ny\n")).toEqual({ a: "xy" });
    // As in libuci, a joined line that starts with a blank ends the argument there.
    expect(errors("config t\noption a \\\n  b c\n")).toEqual(["3: too many arguments to 'option': 'b'"]);
  });

  it("keeps newlines inside quotes", () => {
    const pkg = parsed("config t\noption a 'x\ny'\noption b \"p\nq\"\noption c z\n");
    expect(options("config t\noption a 'x\ny'\noption b \"p\nq\"\n")).toEqual({ a: "x\ny", b: "p\nq" });
    expect(pkg.sections[0]?.options[2]?.lines).toEqual([6]);
  });

  it("splits commands at ';' as libuci does", () => {
    expect(options("config t 'n'; option a 1; option b 2\n")).toEqual({ a: "1", b: "2" });
    expect(errors("config t 'n'\noption a 1;\n")).toEqual(["2: a line may not end with ';'"]);
  });

  it("reads CRLF files", () => {
    expect(options("config t 'n'\r\n\toption a '1'\r\n\toption b 2\r\n\r\n")).toEqual({ a: "1", b: "2" });
  });
});

describe("parseUci: errors", () => {
  it("reports each bad line with its number and keeps going", () => {
    expect(
      errors(
        [
          "option early 1",
          "config",
          "config vip bad-name",
          "config vip 'ok'",
          "option 'bad name' 1",
          "option a 1 extra",
          "frobnicate",
          "option",
          "config other 'ok'",
          "package floatgw",
        ].join("\n"),
      ),
    ).toEqual([
      "1: 'option' before the first 'config' line",
      "2: 'config' needs a section type",
      "3: invalid section name 'bad-name' (letters, digits and _ only)",
      "5: invalid option name 'bad name' (letters, digits and _ only)",
      "6: too many arguments to 'option': 'extra'",
      "7: unknown command 'frobnicate' (expected config, option, list or package)",
      "8: 'option' needs a name",
      "9: section 'ok' was declared with type 'vip' on line 4",
      "10: 'package' may appear only once, before the first section",
    ]);
  });

  it("reports an unterminated quote at the line that opened it", () => {
    expect(errors("config t\noption a 'open\nmore\n")).toEqual(["2: unterminated single quote"]);
    expect(errors('config t\noption a "x\\"\n')).toEqual(["2: unterminated double quote"]);
  });

  it("never throws, whatever the input", () => {
    const alphabet = fc.constantFrom(..."config option list package vip 'x' \"y\" \\ # ; \n\r\t a1_-@[]\0é".split(""));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.array(alphabet).map((a) => a.join(""))), (text) => {
        const r = parseUci(text);
        if (r.ok) expect(Array.isArray(r.package.sections)).toBe(true);
        else for (const e of r.errors) expect(e.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseUci: the quick path for simple lines", () => {
  // Nearly every line is read by one regular expression instead of the
  // character-by-character scanner (docs/robustness.md): both must make the
  // same package, or the same errors, of any text.
  const same = (text: string): void => expect(parseUci(text)).toEqual(parseUci(text, false));

  it("agrees with the general scanner on lines at the edge of simple", () => {
    for (const line of [
      "\toption a 'b c'", "option a b", "o a b", "l a b", "list a ''", "option a ''", "option a", "option 'a' b",
      "option a 'b'c", "option a b'c'", "option a 'b' c", "option a 'b' #c", "option a '#;\"\\\\'", "option a \"b\"",
      "option a b\r", "\v\foption\ta\t'b'\t", "option a-b c", "option a 'b", "config", "config vip", "config vip ''",
      "config vip 'v-1'", "config 'vip' v1", "config v\u00e9 x", "config vip a b", "c x y", "package p", "bogus a b",
      "option a b;", "option a b; option c d", "option a \\\n b", "option a 'multi\nline'", "# comment", "   ", "\t\r",
    ]) {
      same(line);
      same(`config vip 'x'\n${line}\n`);
      same(`config vip 'x'\n\toption k 'v'\n${line}\n\tlist k 'w'\n`);
    }
  });

  it("agrees with the general scanner on runs of list lines, which it reads by their shared beginning", () => {
    const head = "config vip 'x'\n\tlist p 'a'\n";
    for (const next of [
      "\tlist p 'b'", "\tlist p 'b' ", "\tlist p 'b'c'", "\tlist p ''", "\tlist p 'b", "\tlist p 'b\nc'", "\tlist p 'b'\r",
      "\tlist p 'b' # c", "\tlist p 'b'; list p 'c'", "\tlist p b", "\tlist pq 'b'", "\tlist p 'b'\n\toption p ''\n\tlist p 'c'",
      "\tlist p 'b'\nconfig vip 'y'\n\tlist p 'c'", "\tlist p 'b'\n\tlist p 'c'\n\tlist p 'd'", "\tlist p 'a b'\n\tlist p '#'",
    ]) {
      same(`${head}${next}\n`);
      same(`${head}${next}`);
    }
  });

  it("agrees with the general scanner on mutated files", () => {
    const rng = new Rng(20261129);
    for (let i = 0; i < 2000; i++) same(uciFile(rng, EXAMPLE_ROUTER_A));
  });
});
