// The daemon engine's allocator (src/native/heap.c) on every CPU: built with
// each toolchain into test/cross/heap-stress.c, which drives it through
// random allocations, reallocations and frees as QuickJS makes them and
// checks each block's alignment, size and bytes, the engine's count and
// size, and that freed pages are taken again (that program says how). The
// router CPUs run it under qemu-user: 32-bit pointers, big-endian MIPS.
// The daemon's own runs (test/netns, and test/cross/pair.test.ts under qemu)
// use the same allocator; this reaches the corners they rarely do (a slab
// filled to its last block, a page of empty slabs handed back and reused).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, must, run } from "../netns/lab";
import { CROSS_TARGETS, target } from "./targets";

describe.each(["x86_64", ...CROSS_TARGETS])("%s", (name) => {
  it("keeps every block of the daemon's allocator intact through random use, and reuses the pages it freed", () => {
    const t = target(name);
    const dir = mkdtempSync(join(tmpdir(), "floatgw-heap-"));
    try {
      const binary = join(dir, "heap-stress");
      must([
        ...t.cc, "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror",
        "-isystem", resolve(ROOT, "build/engine/quickjs"), "-I", resolve(ROOT, "src/native"),
        "-o", binary, resolve(ROOT, "test/cross/heap-stress.c"), resolve(ROOT, "src/native/heap.c"), ...t.ldflags,
      ], 120_000);
      const r = run([...t.qemu, binary], 120_000);
      expect(r.stdout.trim(), r.stderr).toMatch(/^ok 3 rounds of 400000 operations, up to \d+ blocks live$/);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
