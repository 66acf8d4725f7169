// Global setup of the system suite: says once why the real-OpenWrt tests
// are skipped when there is no rootfs (under CI=true locateRootfs throws,
// which fails the run), else unpacks it before the first test needs it.
import { locateRootfs, pristineRootfs } from "../lab/rootfs.mjs";

export default function setup(): void {
  const found = locateRootfs();
  if ("missing" in found) console.log(`real-OpenWrt tests skipped: ${found.missing}`);
  else pristineRootfs();
}
