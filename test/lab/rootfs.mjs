// The OpenWrt root filesystem the real-OpenWrt tests boot or install into:
// found, verified and unpacked here, once, for the tests, the demo and the
// bench alike (plain .mjs, so node scripts and vitest both import it; types
// in rootfs.d.mts).
//
// The tarball is an OpenWrt 22.03.4 x86/64 rootfs (r20123-38ccc47687), by
// default at ../shared/openwrt-rootfs/ next to the project root and checked
// against the sha256 below. FLOATGW_OPENWRT_ROOTFS names another one (any
// OpenWrt >= 22.03 x86/64 rootfs tarball), which is then used as it is.
// It is unpacked once into build/openwrt/rootfs-<hash>/ (the pristine copy,
// never booted or written to): the lab mounts it as the read-only layer of
// each router's root (openwrt.mjs), an install test takes a copy (copyRootfs).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DEFAULT_ROOTFS = resolve(ROOT, "../shared/openwrt-rootfs/openwrt-22.03.4-x86-64-rootfs.tar.xz");
export const ROOTFS_SHA256 = "1d0ae99d2b487b97f11280060a69eeaf3299e171e6d473be0a781f78b48076f4";
const ENV = "FLOATGW_OPENWRT_ROOTFS";

function must(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Where the rootfs tarball is, or why there is none. Under CI=true a
 * missing tarball is an error (thrown), never a skip. */
export function locateRootfs() {
  const path = process.env[ENV] ? resolve(process.env[ENV]) : DEFAULT_ROOTFS;
  if (existsSync(path)) return { path, pinned: !process.env[ENV] };
  const reason = `no OpenWrt rootfs at ${path}: set ${ENV} to an OpenWrt >= 22.03 x86/64 rootfs tarball `
    + `(e.g. openwrt-22.03.4-x86-64-rootfs.tar.gz from downloads.openwrt.org) to run the real-OpenWrt tests`;
  if (process.env.CI === "true") throw new Error(reason);
  return { missing: reason };
}

let pristine = null;

/** The unpacked, verified rootfs (a cached directory under build/; treat it
 * as read-only). Throws if there is no tarball or the pinned hash differs. */
export function pristineRootfs() {
  if (pristine) return pristine;
  const found = locateRootfs();
  if ("missing" in found) throw new Error(found.missing);
  const sha = createHash("sha256").update(readFileSync(found.path)).digest("hex");
  if (found.pinned && sha !== ROOTFS_SHA256) {
    throw new Error(`${found.path}: sha256 ${sha}, expected ${ROOTFS_SHA256} (set ${ENV} to use another rootfs)`);
  }
  const dir = resolve(ROOT, `build/openwrt/rootfs-${sha.slice(0, 16)}`);
  if (!existsSync(dir)) {
    // Unpack beside it, then rename: a half-unpacked tree is never found.
    const tmp = `${dir}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    must(["tar", "-xf", found.path, "-C", tmp]);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw e; // else another process unpacked it first
    }
  }
  pristine = dir;
  return dir;
}

/** A private copy of the rootfs at `dest` (which must not exist), for one
 * router or one install test to boot or write into. */
export function copyRootfs(dest) {
  must(["cp", "-a", pristineRootfs(), dest]);
  return dest;
}
