// Every router CPU's floatgwd under qemu-user: it must be static and
// stripped, print its version, pass selftest, and stay under 1 MB. MIPS runs
// with -cpu 24Kc, which has no FPU: one hard-float instruction would SIGILL.
// readelf's "Soft float" alone proves nothing (crt files set it even when
// libgcc's hard-float helpers are linked), so the disassembly is searched too.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { transformSync } from "esbuild";
import { Lab, ROOT, must, run } from "../netns/lab";
import { CROSS_TARGETS, target } from "./targets";

const { version } = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8"));
const FIXTURES = ["v2-ipv4.hex", "v2-ipv4-pass.hex", "v3-ipv4.hex", "v3-ipv6.hex"];
const FPU_INSTRUCTION = /\s(add|sub|mul|div|mov|cvt|c\.[a-z]+)\.(d|s)\s|\s(lwc1|swc1|ldc1|sdc1|mtc1|mfc1|ctc1|cfc1)\s/;
const lab = new Lab();
afterEach(() => lab.cleanup());

const sizes: Record<string, { stripped: number; xz: number }> = {};
afterAll(() => {
  mkdirSync(resolve(ROOT, "build/test-results"), { recursive: true });
  writeFileSync(resolve(ROOT, "build/test-results/sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
});

describe.each(["x86_64", ...CROSS_TARGETS])("%s", (name) => {
  const t = target(name);

  it("is a static, stripped executable under 1 MB", () => {
    const file = must(["file", "-b", t.binary]);
    expect(file).toContain("statically linked");
    expect(file).toContain("stripped");
    expect(file).not.toContain("not stripped");
    const stripped = statSync(t.binary).size;
    const xz = Number(must(["sh", "-c", `xz -9e -c '${t.binary}' | wc -c`]).trim());
    sizes[name] = { stripped, xz };
    console.log(`${name}: ${stripped} bytes stripped, ${xz} bytes xz -9e`);
    expect(stripped).toBeLessThan(1024 * 1024);
  });

  // The soft-float check below reads the .debug twin, whose symbols tell
  // objdump which functions are MIPS16: what ships must be that file stripped.
  it("is its .debug twin stripped, byte for byte", () => {
    const dir = mkdtempSync(resolve(tmpdir(), "floatgw-strip-"));
    try {
      must([t.strip, "-o", resolve(dir, "floatgwd"), `${t.binary}.debug`]);
      expect(readFileSync(resolve(dir, "floatgwd")).equals(readFileSync(t.binary))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints its version", () => {
    const r = run([...t.qemu, t.binary, "--version"], 60_000);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`floatgwd ${version} (QuickJS 2021-03-27)`);
    expect(r.status).toBe(0);
  });

  // The binary's programs run (src/native/main.c): the control client
  // answers help and usage errors (here of one of the tools' commands,
  // which it parses too), the tools selftest and decode.
  it("answers help and usage errors exactly as the host does", () => {
    for (const args of [["--help"], ["switchover", "--help"], ["check", "--bogus"], ["nosuch"]]) {
      const r = run([...t.qemu, t.binary, ...args], 60_000);
      const host = run([resolve(ROOT, "build/x86_64/floatgwd"), ...args]);
      expect([r.status, r.stdout, r.stderr], args.join(" ")).toEqual([host.status, host.stdout, host.stderr]);
    }
  });

  it("passes selftest on lo in a fresh namespace", () => {
    const ns = lab.netns("x");
    const r = lab.exec(ns, [...t.qemu, t.binary, "selftest", "lo"], 60_000);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
  });

  it("decodes keepalived's captured adverts exactly as the host does (the core on this CPU)", () => {
    for (const file of FIXTURES) {
      const hexes = readFileSync(resolve(ROOT, "test/fixtures/keepalived", file), "utf8")
        .split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
      const r = run([...t.qemu, t.binary, "decode", ...hexes], 60_000);
      expect(r.status, `${file}: ${r.stdout}`).toBe(0);
      const decoded = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      expect(decoded.map((d) => [d.vrid, d.priority > 0 ? d.priority : 0, d.ok])).toEqual(
        hexes.map((_, i) => [51, i === hexes.length - 1 ? 0 : 100, true]));
      expect(r.stdout).toBe(run([resolve(ROOT, "build/x86_64/floatgwd"), "decode", ...hexes]).stdout);
    }
  });

  it("has a toolchain whose C float and netlink results match the host's", () => {
    const r = run(["bash", resolve(ROOT, "scripts/toolchain-check.sh"), name], 120_000);
    expect(r.stderr).not.toContain("FAIL");
    expect(r.status).toBe(0);
  });
});

// ath79/ramips kernels have no FP emulation: one FPU instruction is a SIGILL.
describe.each(CROSS_TARGETS.filter((n) => target(n).softFloat))("%s soft-float", (name) => {
  const t = target(name);

  it("says Soft float in its ELF attributes and contains no FPU instruction", () => {
    expect(must([t.readelf, "-A", t.binary])).toMatch(/FP ABI:\s+Soft float/);
    // Without symbols objdump decodes MIPS16 code as MIPS32 and "finds"
    // thousands of FPU instructions in it; the .debug twin has them.
    const disassembly = must([t.objdump, "-d", `${t.binary}.debug`], 120_000).split("\n");
    expect(disassembly.length).toBeGreaterThan(100_000);
    const fpu = disassembly.filter((line) => FPU_INSTRUCTION.test(line));
    expect(fpu.slice(0, 5)).toEqual([]);
  });

  // OpenWrt builds packages for these CPUs in MIPS16e (CONFIG_USE_MIPS16),
  // and so does floatgw: the engine's interpreter is MIPS16, musl is not.
  it("runs MIPS16 code for the engine, interlinked with MIPS32 musl", () => {
    const symbols = must([t.readelf, "-s", "-W", `${t.binary}.debug`], 60_000).split("\n");
    const isa = (fn: string): string => {
      const line = symbols.find((l) => l.trim().endsWith(` ${fn}`));
      return line === undefined ? `${fn} missing` : line.includes("[MIPS16]") ? "MIPS16" : "MIPS32";
    };
    expect([isa("JS_CallInternal"), isa("js_os_poll"), isa("memcpy")]).toEqual(["MIPS16", "MIPS16", "MIPS32"]);
  });
});

// The engine is built without BigInt, Promise, Proxy, Atomics, Intl and
// Math's transcendental functions (mk/engine.mk, src/native/main.c):
// tsconfig's lib keeps most of them out of src/, this keeps them out of what
// the npm packages bring in too. (A \p{...} regular expression, also left
// out, fails the build itself: qjsc is built the same way.)
// Every bundle: the control client (src/cli.ts), the daemon (src/main.ts)
// and the other commands (src/tools.ts).
describe.each(["build/floatgw-cli.js", "build/floatgwd.js", "build/floatgw-tools.js"])("the bundle %s", (file) => {
  const bundle = readFileSync(resolve(ROOT, file), "utf8");

  it("uses none of the built-ins the engine is built without", () => {
    const { code } = transformSync(bundle, { minify: true, format: "esm" });
    expect(code.match(/\bBig(Int|Uint)\w*|\b\d+n\b|\b(Promise|Proxy|Atomics|SharedArrayBuffer|Intl)\b/g) ?? []).toEqual([]);
    const math = /\bMath\.(exp|expm1|log|log1p|log2|log10|cbrt|hypot|a?(sin|cos|tan)h?|atan2)\b/g;
    expect(code.match(math) ?? []).toEqual([]);
  });

  it("has no async function, which needs Promise", () => {
    // esbuild rewrites each async function or generator into a call of a helper.
    const { code } = transformSync(bundle, { format: "esm", supported: { "async-await": false, "async-generator": false } });
    expect(code.match(/\b__async\w*/g) ?? []).toEqual([]);
  });

  it("is compiled without line numbers and local names", () => {
    expect(bundle.startsWith('"use strip";')).toBe(true);
  });
});

// The daemon's engine reads the daemon's bytecode alone (src/native/main.c):
// the tools' own code, read and then dropped, had left about 250 KB more of
// its heap resident (docs/performance.md, "The daemon's heap"). esbuild
// names each module it bundles in a comment line before its code.
describe("the daemon's bundle", () => {
  const modules = (file: string) => [...readFileSync(resolve(ROOT, file), "utf8").matchAll(/^\/\/ (src\/\S+\.ts)$/gm)].flatMap((m) => m.slice(1));
  const TOOLS_ONLY = /^src\/(import\/|selftest\.ts$|tools\.ts$|cli\/(decode|import-keepalived)\.ts$)/;

  it("holds none of the tools' own code, which the tools' bundle has", () => {
    const daemon = modules("build/floatgwd.js");
    expect(daemon).toContain("src/daemon/daemon.ts");
    expect(daemon.filter((m) => TOOLS_ONLY.test(m))).toEqual([]);
    expect(modules("build/floatgw-tools.js").filter((m) => TOOLS_ONLY.test(m)).length).toBeGreaterThan(10);
  });
});
