// keepalived.conf's line rules and include globs, as keepalived's
// lib/parser.c and glibc's glob(3) apply them.

import { describe, expect, it } from "vitest";
import { decomment, splitQuoted, splitWords } from "../../src/import/conf-text";
import { expandBraces, globPaths, matchComponent } from "../../src/import/glob";
import { memoryFs } from "./import-helpers";

describe("decomment", () => {
  it("cuts at # and ! outside double quotes, not inside them or single quotes", () => {
    expect(decomment("  priority 100 # comment").text).toBe("priority 100");
    expect(decomment("priority 100! comment").text).toBe("priority 100");
    expect(decomment('script "/bin/test ! -e /x # y"').text).toBe('script "/bin/test ! -e /x # y"');
    expect(decomment("script '/bin/test ! -e'").text).toBe("script '/bin/test");
  });

  it("turns \\# and \\! into literal characters, keeps other escapes, and flags a trailing backslash", () => {
    expect(decomment("auth_pass a\\#b\\!c").text).toBe("auth_pass a#b!c");
    expect(decomment('x "a\\#b"').text).toBe('x "a\\#b"');
    expect(decomment("x a\\tb").text).toBe("x a\\tb");
    const d = decomment("$DEF=a b \\");
    expect(d).toEqual({ text: "$DEF=a b\\", continued: true, unterminatedQuote: false });
  });

  it("reports an unterminated double quote", () => {
    expect(decomment('notify "/bin/x').unterminatedQuote).toBe(true);
  });
});

describe("splitWords (how keywords read their arguments)", () => {
  it("keeps a double-quoted string as one word and ends unquoted words at a quote", () => {
    expect(splitWords('notify_master "/etc/x.sh a b"  extra').words).toEqual(["notify_master", "/etc/x.sh a b", "extra"]);
    expect(splitWords('a"b c"d').words).toEqual(["a", "b c", "d"]);
    expect(splitWords("a 'b c'").words).toEqual(["a", "'b", "c'"]);
  });

  it("drops the rest of the line after an unmatched quote, as keepalived does", () => {
    expect(splitWords('a "b c')).toEqual({ words: ["a"], unmatchedQuote: true });
  });
});

describe("splitQuoted (how scripts read their command lines)", () => {
  it("glues quotes to their surroundings and keeps backslashes on the first pass", () => {
    expect(splitQuoted(`script "/bin/sh -c 'test -e /x'"  user`, false)).toEqual({ ok: true, words: ["script", "/bin/sh -c 'test -e /x'", "user"] });
    expect(splitQuoted("a\\ b", false)).toEqual({ ok: true, words: ["a\\ b"] });
  });

  it("decodes escapes on the second pass, as keepalived.conf(5) documents", () => {
    expect(splitQuoted(`/x ' spaces\\x20f\\x69le ' '\\"s p a c e \\"' \\101\\cA\\t`, true)).toEqual({
      ok: true,
      words: ["/x", " spaces file ", '"s p a c e "', "A\x01\t"],
    });
  });

  it("refuses a missing quote or a lone trailing backslash", () => {
    expect(splitQuoted("a 'b", true).ok).toBe(false);
    expect(splitQuoted("a \\", true).ok).toBe(false);
  });
});

describe("include globs", () => {
  it("expands csh braces in order, nested, with an unclosed brace literal", () => {
    expect(expandBraces("{foo/{,cat,dog},bar}")).toEqual(["foo/", "foo/cat", "foo/dog", "bar"]);
    expect(expandBraces("a{b,c}d{e,f}")).toEqual(["abde", "abdf", "acde", "acdf"]);
    expect(expandBraces("a{b")).toEqual(["a{b"]);
    expect(expandBraces("a\\{b,c}")).toEqual(["a\\{b,c}"]);
  });

  it("matches *, ? and [...] like fnmatch with FNM_PERIOD", () => {
    expect(matchComponent("*.conf", "lan.conf")).toBe(true);
    expect(matchComponent("*.conf", ".hidden.conf")).toBe(false);
    expect(matchComponent(".*", ".hidden")).toBe(true);
    expect(matchComponent("l?n.conf", "lan.conf")).toBe(true);
    expect(matchComponent("[a-c]*", "b1")).toBe(true);
    expect(matchComponent("[!a-c]*", "b1")).toBe(false);
    expect(matchComponent("[]x]", "]")).toBe(true);
    expect(matchComponent("a\\*", "a*")).toBe(true);
    expect(matchComponent("a\\*", "ab")).toBe(false);
    expect(matchComponent("[ab", "[ab")).toBe(true);
  });

  it("lists matches sorted, relative to the including file's directory, each brace alternative in turn", () => {
    const fs = memoryFs({
      "/etc/keepalived/conf.d/b.conf": "",
      "/etc/keepalived/conf.d/a.conf": "",
      "/etc/keepalived/conf.d/.swap.conf": "",
      "/etc/keepalived/conf.d/notes.txt": "",
      "/etc/keepalived/extra.conf": "",
    });
    expect(globPaths("conf.d/*.conf", "/etc/keepalived", fs).map((m) => m.path)).toEqual([
      "/etc/keepalived/conf.d/a.conf",
      "/etc/keepalived/conf.d/b.conf",
    ]);
    expect(globPaths("{extra,conf.d/b}.conf", "/etc/keepalived", fs).map((m) => m.path)).toEqual([
      "/etc/keepalived/extra.conf",
      "/etc/keepalived/conf.d/b.conf",
    ]);
    expect(globPaths("/etc/keepalived/*", "/", fs)).toEqual([
      { path: "/etc/keepalived/conf.d", isDir: true },
      { path: "/etc/keepalived/extra.conf", isDir: false },
    ]);
    expect(globPaths("missing.conf", "/etc/keepalived", fs)).toEqual([]);
    expect(globPaths("extra.conf", "/etc/keepalived", fs)).toEqual([{ path: "/etc/keepalived/extra.conf", isDir: false }]);
  });
});
