// Reading a keepalived.conf into logical lines and blocks: includes,
// conditional lines, parameters, braces, and the errors keepalived reports.

import { describe, expect, it } from "vitest";
import { readConfFile } from "../../src/import/conf-read";
import { buildTree, type ConfNode } from "../../src/import/conf-tree";
import { memoryFs } from "./import-helpers";

function read(files: Record<string, string>, configId: string | null = null) {
  return readConfFile("/k/keepalived.conf", memoryFs(files), { configId });
}

const texts = (files: Record<string, string>, configId: string | null = null): string[] => read(files, configId).lines.map((l) => l.text);

function shape(nodes: readonly ConfNode[]): unknown[] {
  return nodes.map((n) => (n.block === null ? [n.keyword, ...n.args].join(" ") : { [[n.keyword, ...n.args].join(" ")]: shape(n.block) }));
}

describe("logical lines", () => {
  it("puts every brace on a line of its own and keeps where each came from", () => {
    const r = read({ "/k/keepalived.conf": "vrrp_instance VI_1 { state MASTER\n  virtual_ipaddress { 198.18.0.1 } }\n" });
    expect(r.lines.map((l) => [l.text, l.at.line])).toEqual([
      ["vrrp_instance VI_1", 1],
      ["{", 1],
      ["state MASTER", 1],
      ["virtual_ipaddress", 2],
      ["{", 2],
      ["198.18.0.1", 2],
      ["}", 2],
      ["}", 2],
    ]);
  });

  it("leaves braces inside double quotes alone", () => {
    expect(texts({ "/k/keepalived.conf": 'notify "/bin/x {a}"\n' })).toEqual(['notify "/bin/x {a}"']);
  });

  it("keeps @ID lines for this router only, @^ID lines for the others, and counts what it left out", () => {
    const conf = "@a router_id A\n@b router_id B\n@^a peer is-not-a\n@a\n";
    expect(texts({ "/k/keepalived.conf": conf }, "a")).toEqual(["router_id A"]);
    expect(texts({ "/k/keepalived.conf": conf }, "b")).toEqual(["router_id B", "peer is-not-a"]);
    expect(read({ "/k/keepalived.conf": conf }, "a").otherRouterLines).toBe(2);
    expect(texts({ "/k/keepalived.conf": conf }, null)).toEqual(["peer is-not-a"]);
  });

  it("replaces $NAME and ${NAME}, recursively and at use time, and leaves unknown ones", () => {
    const conf = [
      "$BASE=198.18.${SUB}",
      "$SUB=0",
      "${BASE}.1/24",
      "$SUB=1",
      "${BASE}.1/24 $UNKNOWN",
      "priority $PRIO",
      "$PRIO=150",
      "priority $PRIO",
      "x $PRIOx",
    ].join("\n");
    expect(texts({ "/k/keepalived.conf": conf })).toEqual(["198.18.0.1/24", "198.18.1.1/24 $UNKNOWN", "priority $PRIO", "priority 150", "x $PRIOx"]);
  });

  it("expands multi-line definitions into several lines, with conditionals inside", () => {
    const conf = ["$INST= \\", "vrrp_instance VI_${N} { \\", "  @a priority 200 \\", "  @b priority 100 \\", "}", "", "$N=1", "$INST"].join("\n");
    expect(texts({ "/k/keepalived.conf": conf }, "b")).toEqual(["vrrp_instance VI_1", "{", "priority 100", "}"]);
  });

  it("knows ${_PWD}, ${_INSTANCE}, ${_HASH} and ${_BANG}, and refuses ${_RANDOM} and ${_ENV}", () => {
    const r = read({ "/k/keepalived.conf": 'include sub/*.conf\nnotify "${_PWD}/n.sh ${_INSTANCE} ${_HASH}${_BANG}"\nx "${_RANDOM} ${_ENV HOME}"\n', "/k/sub/a.conf": "script ${_PWD}/c.sh\n" }, "gw");
    expect(r.lines.map((l) => l.text)).toEqual(["script /k/sub/c.sh", 'notify "/k/n.sh gw #!"', 'x "${_RANDOM} ${_ENV HOME}"']);
    expect(r.entries.map((e) => [e.status, e.at?.line])).toEqual([["error", 3], ["error", 3]]);
  });

  it("reports a ~SEQ block and a definition that never ends", () => {
    const r = read({ "/k/keepalived.conf": "~SEQ(N,1,3) x $N\n$A=$B\n$B=$A\ny $A\n" });
    expect(r.entries.map((e) => e.at?.line)).toEqual([1, 4]);
    expect(r.entries.every((e) => e.status === "error")).toBe(true);
  });

  it("reports lines keepalived ignores for their length", () => {
    const r = read({ "/k/keepalived.conf": `x ${"a".repeat(1100)}\ny\n` });
    expect(r.lines.map((l) => l.text)).toEqual(["y"]);
    expect(r.entries[0]?.status).toBe("error");
  });
});

describe("includes", () => {
  const files = {
    "/k/keepalived.conf": "a\ninclude conf.d/*.conf\nincluder /k/missing/*.conf\nd\n",
    "/k/conf.d/2.conf": "c\n",
    "/k/conf.d/1.conf": "b\ninclude ../more.txt\n",
    "/k/more.txt": "b2\n",
  };

  it("reads included files in place, relative to the including file, and lists every file read", () => {
    const r = read(files);
    expect(r.lines.map((l) => `${l.at.file}:${l.at.line} ${l.text}`)).toEqual([
      "/k/keepalived.conf:1 a",
      "/k/conf.d/1.conf:1 b",
      "/k/more.txt:1 b2",
      "/k/conf.d/2.conf:1 c",
      "/k/keepalived.conf:4 d",
    ]);
    expect(r.files).toEqual(["/k/keepalived.conf", "/k/conf.d/1.conf", "/k/more.txt", "/k/conf.d/2.conf"]);
  });

  it("says when a pattern matches nothing, and stops a file that includes itself", () => {
    expect(read(files).entries.map((e) => [e.status, e.at?.line])).toEqual([["different", 3]]);
    const loop = read({ "/k/keepalived.conf": "include keepalived.conf\n" });
    expect(loop.entries.some((e) => e.status === "error" && /nest deeper/.test(e.note ?? ""))).toBe(true);
  });

  it("errors when the main file cannot be read", () => {
    expect(read({}).entries[0]?.status).toBe("error");
  });
});

describe("blocks", () => {
  it("nests blocks whether the brace is on the keyword's line or the next", () => {
    const r = read({ "/k/keepalived.conf": "global_defs\n{\n router_id a\n}\nvrrp_instance X {\n authentication { auth_type PASS }\n}\n" });
    const tree = buildTree(r.lines);
    expect(shape(tree.nodes)).toEqual([{ global_defs: ["router_id a"] }, { "vrrp_instance X": [{ authentication: ["auth_type PASS"] }] }]);
    expect(tree.entries).toEqual([]);
  });

  it("reports a stray '}', an unclosed block and a '{' after no keyword", () => {
    const tree = buildTree(read({ "/k/keepalived.conf": "}\n{\nx\n}\nvrrp_instance X {\nstate MASTER\n" }).lines);
    expect(tree.entries.map((e) => [e.status, e.at?.line, e.subject])).toEqual([
      ["error", 1, "}"],
      ["error", 2, "{"],
      ["error", 5, "vrrp_instance X"],
    ]);
  });
});
