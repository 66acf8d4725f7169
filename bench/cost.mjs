// What a daemon costs when nothing happens, and what it costs to install.
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, statSync } from "node:fs";
import { endianness } from "node:os";
import { IMPLS, PROFILES } from "./daemons.mjs";
import { Lab, ROOT, must, run, sleep } from "./lab.mjs";

export const TARGETS = ["x86_64", "mips_24kc", "mipsel_24kc", "arm_cortex-a7", "aarch64_generic"];
const TICK_MS = 1000 / Number(must(["getconf", "CLK_TCK"]).trim());
const PAGE = Number(must(["getconf", "PAGESIZE"]).trim());
const PRESENT = 1n << 63n;
const FRAME = (1n << 55n) - 1n;

/** KiB of the distinct physical pages resident in any of `pids`: what the
 * daemon holds in memory, each page once however many of its processes map
 * it. Summed VmRSS counts a page its processes share in each of them; Pss
 * also splits a page with every other process that maps it (the other
 * router's daemon runs the same binary). From /proc/PID/pagemap, whose page
 * frame numbers only root sees; entries are in the host's byte order. */
function residentKb(pids) {
  const frames = new Set();
  const entry = endianness() === "LE" ? (b, i) => b.readBigUInt64LE(i) : (b, i) => b.readBigUInt64BE(i);
  for (const pid of pids) {
    const pagemap = openSync(`/proc/${pid}/pagemap`, "r");
    try {
      for (const line of readFileSync(`/proc/${pid}/maps`, "utf8").trim().split("\n")) {
        // The legacy vsyscall page is outside the process's page tables.
        if (line.endsWith("[vsyscall]")) continue;
        const [lo, hi] = line.slice(0, line.indexOf(" ")).split("-").map((h) => parseInt(h, 16));
        const entries = Buffer.alloc(((hi - lo) / PAGE) * 8);
        for (let got = 0; got < entries.length;) {
          const n = readSync(pagemap, entries, got, entries.length - got, (lo / PAGE) * 8 + got);
          if (n === 0) break;
          got += n;
        }
        for (let i = 0; i < entries.length; i += 8) {
          const e = entry(entries, i);
          if (e & PRESENT) frames.add(e & FRAME);
        }
      }
    } finally {
      closeSync(pagemap);
    }
  }
  return (frames.size * PAGE) / 1024;
}

/** Memory and CPU of a set of processes, summed (keepalived's whole daemon
 * is its parent and its VRRP child). RSS counts pages shared by the two
 * processes twice; Pss splits them (residentKb, read once at the window's
 * end, counts each page once). */
function usage(pids) {
  const u = { rssKb: 0, hwmKb: 0, pssKb: 0, cpuMs: 0, onCpuMs: 0, procs: pids.length };
  for (const pid of pids) {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    u.rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
    u.hwmKb += Number(/VmHWM:\s+(\d+)/.exec(status)[1]);
    u.pssKb += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))[1]);
    // Fields after the ")" of comm: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    u.cpuMs += (Number(stat[11]) + Number(stat[12])) * TICK_MS;
    // Nanoseconds on a CPU: the same quantity without the 10 ms ticks.
    u.onCpuMs += Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  }
  return u;
}

/** Runs a pair with `vrids` instances of one timer profile, lets it settle,
 * then measures each router's daemon over `windowS` seconds of idling: the
 * master sends every advert, the backup receives them. */
export async function idle(impl, windowS, { profile, vrids }) {
  const lab = new Lab("i");
  const d = {};
  try {
    // No capture of the switch: it would wake for every advert, billed to the sender.
    await lab.up({ wire: false });
    for (const r of ["a", "b"]) {
      d[r] = new IMPLS[impl](lab, r, profile, { vrids });
      d[r].start();
    }
    await lab.until(() => lab.holds.a && !lab.holds.b, 30_000, "A alone holding the VIP");
    await sleep(5000);
    // Each daemon's state transitions, before the window and after it: an
    // idle window must have none, or the daemon could not keep up with the
    // adverts. floatgw's count is a status request, which wakes its daemon:
    // asked for outside the window, so that the harness's own question is
    // not billed to floatgw's idle cost.
    const flips = { a: d.a.transitions(), b: d.b.transitions() };
    await sleep(1000);
    const begin = { a: usage(d.a.costPids()), b: usage(d.b.costPids()) };
    await sleep(windowS * 1000);
    // The same processes for both readings: listing them spawns `ip netns pids`.
    const pids = { a: d.a.costPids(), b: d.b.costPids() };
    const ends = { a: usage(pids.a), b: usage(pids.b) };
    const resident = { a: residentKb(pids.a), b: residentKb(pids.b) };
    return ["a", "b"].map((r) => {
      const end = ends[r];
      const flipped = d[r].transitions();
      return { type: "idle", impl, profile, vrids, advertMs: PROFILES[profile].advertMs, role: r === "a" ? "master" : "backup",
        windowS, rssKb: end.rssKb, hwmKb: end.hwmKb,
        pssKb: end.pssKb, residentKb: resident[r], procs: end.procs, cpuMs: end.cpuMs - begin[r].cpuMs,
        onCpuMs: Math.round((end.onCpuMs - begin[r].onCpuMs) * 100) / 100,
        transitions: flipped === null || flips[r] === null ? null : flipped - flips[r] };
    });
  } finally {
    lab.cleanup();
    d.a?.dispose();
    d.b?.dispose();
  }
}

const size = (path) => statSync(path).size;

function linkage(bin) {
  const f = must(["file", "-L", bin]);
  return { stripped: /, stripped/.test(f), static: /statically linked/.test(f) };
}

/** Stripped floatgwd per target, and keepalived as Debian installs it: its
 * package's files plus every shared library it loads, with the packages
 * those come from. */
export function sizes() {
  const out = [];
  for (const target of TARGETS) {
    const bin = `${ROOT}/build/${target}/floatgwd`;
    if (!existsSync(bin)) continue;
    out.push({ type: "size", impl: "floatgw", what: "binary", target, bytes: size(bin), ...linkage(bin) });
  }
  const files = must(["dpkg", "-L", "keepalived"]).split("\n").filter((f) => f && statSync(f, { throwIfNoEntry: false })?.isFile());
  const pkgBytes = files.reduce((n, f) => n + size(f), 0);
  const libs = [...must(["ldd", "/usr/sbin/keepalived"]).matchAll(/=> (\S+) \(/g)].map((m) => realpathSync(m[1]));
  const libPkgs = new Set(libs.map((l) => run(["dpkg", "-S", l]).stdout.split(":")[0]).filter(Boolean));
  // The C library (libc, libm, the loader and friends) is on every system;
  // the remaining libraries are what keepalived drags in.
  const isLibc = (l) => /\/(libc|libm|libresolv|libcrypt|libnsl|ld-linux[^/]*)[.-]/.test(l);
  const libBytes = libs.reduce((n, l) => n + size(l), 0);
  const nonLibcBytes = libs.filter((l) => !isLibc(l)).reduce((n, l) => n + size(l), 0);
  out.push(
    { type: "size", impl: "keepalived", what: "binary", target: "x86_64", bytes: size("/usr/sbin/keepalived"),
      ...linkage("/usr/sbin/keepalived") },
    { type: "size", impl: "keepalived", what: "package", target: "x86_64", bytes: pkgBytes,
      installedSizeKb: Number(must(["dpkg-query", "-W", "-f=${Installed-Size}", "keepalived"])) },
    { type: "size", impl: "keepalived", what: "package+libs", target: "x86_64", bytes: pkgBytes + libBytes,
      libs: libs.length, libPackages: [...libPkgs].sort() },
    { type: "size", impl: "keepalived", what: "package+libs-libc", target: "x86_64", bytes: pkgBytes + nonLibcBytes },
  );
  return out;
}
