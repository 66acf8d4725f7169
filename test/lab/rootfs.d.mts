// Types of rootfs.mjs (the OpenWrt rootfs for the real-OpenWrt tests).

/** The default tarball: ../shared/openwrt-rootfs/ beside the project root. */
export declare const DEFAULT_ROOTFS: string;
/** The sha256 the default tarball must have. */
export declare const ROOTFS_SHA256: string;

/** The tarball and whether its hash is pinned (the default), or why there is
 * none (a line to print when skipping; test with `"missing" in r`). Throws
 * under CI=true. */
export declare function locateRootfs(): { path: string; pinned: boolean } | { missing: string };

/** The verified rootfs unpacked once under build/openwrt/ (read-only). */
export declare function pristineRootfs(): string;

/** Copies the pristine rootfs to `dest` (not existing yet); returns dest. */
export declare function copyRootfs(dest: string): string;
