import { defineConfig } from "vitest/config";

// Tests of the built binaries on the real kernel, in network namespaces
// (root), and of the cross binaries under qemu-user. One file at a time:
// they create interfaces and daemons whose timing must not compete.
export default defineConfig({
  test: {
    include: ["test/netns/**/*.test.ts", "test/cross/**/*.test.ts", "test/openwrt/**/*.test.ts"],
    fileParallelism: false,
    globalSetup: ["test/openwrt/rootfs-setup.ts"],
    setupFiles: ["test/event-loop-turn.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
