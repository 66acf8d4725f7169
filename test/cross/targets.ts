// The router CPUs floatgw is built for, with the facts each test needs, read
// from the toolchain's env.mk (written by scripts/toolchain.sh).
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ROOT } from "../netns/lab";

export const CROSS_TARGETS = ["mips_24kc", "mipsel_24kc", "arm_cortex-a7", "aarch64_generic"] as const;

export interface Target {
  name: string;
  binary: string;
  /** The qemu-user command line that runs this CPU (empty for the host). */
  qemu: string[];
  readelf: string;
  objdump: string;
  strip: string;
  /** The toolchain's compiler with its flags, and its link flags, as
   * mk/target.mk uses them. */
  cc: string[];
  ldflags: string[];
  softFloat: boolean;
}

/** Reads `NAME := value` lines of a Makefile fragment. */
export function readEnvMk(path: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Z_]+)\s*:?=\s*(.*)$/.exec(line);
    if (m) vars.set(m[1]!, m[2]!.trim());
  }
  return vars;
}

export function target(name: string): Target {
  const envMk = resolve(ROOT, "build/toolchain", name, "env.mk");
  if (!existsSync(envMk)) throw new Error(`${envMk} is missing: run make cross first`);
  const env = readEnvMk(envMk);
  const words = (key: string): string[] => (env.get(key) ?? "").split(/\s+/).filter(Boolean);
  return {
    name,
    binary: resolve(ROOT, "build", name, "floatgwd"),
    qemu: words("QEMU"),
    readelf: env.get("READELF") ?? "readelf",
    objdump: env.get("OBJDUMP") ?? "objdump",
    strip: env.get("STRIP") ?? "strip",
    cc: [...words("CC"), ...words("TARGET_CFLAGS")],
    ldflags: [...words("TARGET_LDFLAGS"), ...words("TARGET_LDLIBS")],
    softFloat: name.startsWith("mips"),
  };
}
