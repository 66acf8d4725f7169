// A private copy of the real OpenWrt userland (test/lab/rootfs.mjs) whose
// own programs the tests run chrooted, as an offline install runs them:
// opkg, the package scripts, uci, rc.common, hotplug-call, fw4. Each command
// runs in namespaces of its own (network, mount, PID), so nothing it starts
// can touch the host's network, firewall or processes; /proc and a minimal
// /dev are mounted for it alone. Nothing is booted: there is no procd or
// ubusd, so `ubus call` fails ("Failed to connect to ubus") and services do
// not really start. Booting the routers is test/lab's business.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync, existsSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach } from "vitest";
import { copyRootfs, locateRootfs } from "../lab/rootfs.mjs";
import { type Result, run } from "../netns/lab";

/** Why the real-OpenWrt tests cannot run (no rootfs tarball), or null.
 * Under CI=true a missing rootfs throws instead (locateRootfs). */
export const rootfsMissing: string | null = (() => {
  const found = locateRootfs();
  return "missing" in found ? found.missing : null;
})();
if (rootfsMissing) console.log(`skipped: ${rootfsMissing}`);

// The inner script gets the tree and the command as $1 and $2.
const ENTER = `
tree=$1 script=$2
mount -t proc proc "$tree/proc"
mount -t tmpfs -o mode=0755 tmpfs "$tree/dev"
for node in "null 1 3" "zero 1 5" "random 1 8" "urandom 1 9"; do
  set -- $node
  mknod -m 666 "$tree/dev/$1" c "$2" "$3"
done
exec chroot "$tree" /bin/sh -c "$script"
`;

/** A shell command that runs floatgwd's hotplug event for an instance with
 * dhcp '1' on `iface` through the tree's own hotplug-call, as floatgwd runs
 * it (a clean environment describing the event). */
export const hook = (action: string, iface = "lan"): string =>
  `env -i ACTION=${action} DHCP=1 INSTANCE=${iface} INTERFACE=${iface} VIPS=198.18.0.1/24 /sbin/hotplug-call floatgw`;

export class Tree {
  private readonly tmp = mkdtempSync(join(tmpdir(), "fgtree-"));
  /** The tree's root on the host. */
  readonly root = copyRootfs(join(this.tmp, "root"));

  constructor() {
    // The tarball has no /proc, /dev, /tmp or /var (a link to /tmp on
    // OpenWrt, whose boot makes /var/run and /var/lock).
    for (const d of ["proc", "dev", "tmp/run", "tmp/lock"]) mkdirSync(join(this.root, d), { recursive: true });
    if (!existsSync(join(this.root, "var"))) symlinkSync("tmp", join(this.root, "var"));
  }

  /** Runs a busybox sh script chrooted in the tree (PATH is OpenWrt's). */
  sh(script: string, timeoutMs = 60_000): Result {
    return run(["unshare", "--net", "--mount", "--pid", "--fork", "--propagation", "private",
      "sh", "-c", ENTER, "enter", this.root, `export PATH=/usr/sbin:/usr/bin:/sbin:/bin; ${script}`], timeoutMs);
  }

  /** Like sh, but throws with the output when the script fails. */
  must(script: string, timeoutMs = 60_000): string {
    const r = this.sh(script, timeoutMs);
    if (r.status !== 0) throw new Error(`in the OpenWrt tree: ${script}\nexited ${r.status}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** Copies a host file into the tree's /tmp; returns its path in the tree. */
  put(file: string): string {
    copyFileSync(file, join(this.root, "tmp", basename(file)));
    return `/tmp/${basename(file)}`;
  }

  /** A file of the tree, or null if it does not exist. */
  read(path: string): string | null {
    const p = join(this.root, path);
    return existsSync(p) ? readFileSync(p, "utf8") : null;
  }

  exists(path: string): boolean {
    return existsSync(join(this.root, path));
  }

  dispose(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** Trees for the tests of one file, each removed after its test. */
export function useTrees(): () => Tree {
  const trees: Tree[] = [];
  afterEach(() => {
    for (const t of trees.splice(0)) t.dispose();
  });
  return () => {
    const t = new Tree();
    trees.push(t);
    return t;
  };
}
