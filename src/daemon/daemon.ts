// floatgwd: every configured instance, grouped by device, driven by
// QuickJS's event loop; the netlink monitor, the control socket, the state
// file, the hotplug hooks and the signals (SIGTERM/SIGINT: resign and leave;
// SIGHUP: reload the configuration without disturbing what did not change).
import { formatAddr } from "../core/addr";
import { masterDownIntervalMs } from "../core/timing";
import type { Ms } from "../core/units";
import { type HotplugAction, Hotplug } from "../integrations/hotplug";
import { Children } from "../platform/children";
import { ControlServer, type Reply } from "../platform/control";
import { after, exit, makeDirs, monotonicMs, onSignal, readTextFile, removeFile, watchReadable, writeFileAtomic } from "../platform/engine";
import { Rtnl, RtnlMonitor } from "../platform/rtnl";
import type { TrackUse, TrackerSpec } from "../track/spec";
import { Device } from "./device";
import { type Loaded, loadDaemonConfig } from "./load";
import { LeaseSync } from "./lease-sync";
import { guarded, logger, setLogLevel } from "./log";
import { type InstanceSpec, changesLive } from "./spec";
import { daemonStatus } from "./status";
import { TrackerSet } from "./trackers";

export interface DaemonOptions {
  configPath: string;
  runDir: string;
  /** Default hold-off of a switchover, so the peer keeps the VIP. */
  switchoverHoldMs: number;
}

const log = logger("");
/** How long the "stop" hooks may run at exit, after the VIPs are gone and
 * well inside procd's 5 s before SIGKILL. */
const HOOK_BUDGET_AT_EXIT_MS = 2000;
/** How long a stopping master waits for its backup to take over (a v2
 * backup at priority 100 does after its 609 ms Skew_Time). */
const HANDOVER_AT_EXIT_MS = 800;
const ACTIONS: Record<string, HotplugAction> = { master: "master", backup: "backup", fault: "fault", init: "stop" };

function report(loaded: Loaded): void {
  for (const w of loaded.warnings) log("warn", w);
  if (loaded.ok) for (const n of loaded.notes) log("info", n);
  else for (const e of loaded.errors) log("error", e);
}

/** Starts the daemon; false (with the reasons logged) if the configuration
 * cannot run. Afterwards the event loop runs until a signal ends it. */
export function runDaemon(opts: DaemonOptions): boolean {
  const first = loadDaemonConfig(opts.configPath);
  report(first);
  if (!first.ok) {
    log("error", "nothing started");
    return false;
  }
  setLogLevel(first.global.logLevel);

  const now = (): Ms => Math.floor(monotonicMs()) as Ms;
  const startedAt = now();
  const rtnl = new Rtnl();
  const monitor = new RtnlMonitor();
  const statePath = `${opts.runDir}/state.json`;
  const socketPath = `${opts.runDir}/floatgwd.sock`;
  if (!makeDirs(opts.runDir)) log("warn", `cannot create ${opts.runDir}`);
  const hotplug = new Hotplug(first.global.hotplugCommand, logger("hotplug"));
  const devices = new Map<string, Device>();
  const children = new Children();
  const trackers = new TrackerSet({
    now,
    children,
    rtnl,
    hostname: (readTextFile("/proc/sys/kernel/hostname") ?? "").trim() || "floatgw",
    changed: (name) => {
      for (const { r } of runners()) if (r.spec.track.some((u) => u.tracker === name)) r.assess(`tracker ${name} ${trackerWord(name)}`);
      writeState();
    },
  }, logger);
  const trackerWord = (name: string): string => trackers.views(now()).find((v) => v.name === name)?.state ?? "changed";

  const leases = new LeaseSync({
    now,
    // The peer of the first IPv4 instance with dhcp '1': its unicast_peer,
    // else the router whose adverts it last heard.
    vrrpPeer: () => {
      for (const { r } of runners()) {
        if (!r.spec.dhcp || r.spec.family !== 4) continue;
        const peer = r.spec.unicastPeers[0] ?? r.lastPeer?.addr;
        if (peer) return peer.bytes;
      }
      return null;
    },
  }, logger("leases"));
  const status = (): Record<string, unknown> => ({
    ...daemonStatus([...devices.values()], now(), startedAt),
    trackers: trackers.views(now()),
    leaseChannel: leases.status(),
  });
  const writeState = (): void => {
    if (!writeFileAtomic(statePath, JSON.stringify(status()) + "\n")) {
      log("warn", `cannot write ${statePath}`);
    }
  };
  const host = {
    now,
    changed: writeState,
    trackTerms: (uses: readonly TrackUse[]) => uses.map((u) => trackers.term(u)),
    notify: (spec: InstanceSpec, from: string, to: string, reason: string, priority: number): void => {
      writeState();
      const action = ACTIONS[to];
      if (!action) return;
      // The replicated leases go into dnsmasq's lease file before the hook
      // restarts dnsmasq with DHCP on (hooks run after this, in order).
      if (action === "master" && spec.dhcp && leases.replicating) leases.writeLeaseFile();
      hotplug.emit({
        action, instance: spec.name, vrid: spec.vrid, interface: spec.interface ?? "", device: spec.device,
        vips: spec.vips.map((v) => `${formatAddr(v.addr)}/${v.prefix}`), priority, from, reason, dhcp: spec.dhcp,
      });
    },
  };

  const device = (name: string): Device => {
    let d = devices.get(name);
    if (!d) {
      d = new Device(name, rtnl, host, logger(name));
      devices.set(name, d);
      d.start();
    }
    return d;
  };
  const runners = () => [...devices.values()].flatMap((d) => d.runners.map((r) => ({ d, r })));
  const configureLeases = (loaded: { global: { secret: string | null; dhcpLeasefile: string }; specs: InstanceSpec[] }): void =>
    leases.configure({ enabled: loaded.specs.some((s) => s.dhcp), secret: loaded.global.secret, leasefile: loaded.global.dhcpLeasefile });

  /** Brings the running trackers and instances in line with the
   * configuration: unchanged ones keep their state and timers, a changed
   * priority or tracker list applies live, anything else changed restarts
   * that instance (or tracker), removed ones resign (or stop). */
  const apply = (specs: InstanceSpec[], trackerSpecs: readonly TrackerSpec[]): void => {
    trackers.apply(trackerSpecs);
    for (const { d, r } of runners()) {
      const next = specs.find((s) => s.name === r.spec.name);
      if (next && next.device === r.spec.device && changesLive(r.spec, next)) {
        if (JSON.stringify(next) !== JSON.stringify(r.spec)) r.update(next);
        else r.assess("reload");
        continue;
      }
      d.remove(r, next ? "configuration changed" : "removed from the configuration");
    }
    for (const spec of specs) if (!runners().some(({ r }) => r.spec.name === spec.name)) device(spec.device).add(spec);
    for (const [name, d] of devices) {
      if (d.runners.length > 0) continue;
      d.stop();
      devices.delete(name);
    }
    writeState();
  };

  const reload = (): void => {
    const loaded = loadDaemonConfig(opts.configPath);
    report(loaded);
    if (!loaded.ok) {
      log("error", `reload of ${opts.configPath} rejected; the running instances are unchanged`);
      return;
    }
    setLogLevel(loaded.global.logLevel);
    hotplug.setCommand(loaded.global.hotplugCommand);
    log("info", `reloading ${opts.configPath}`);
    configureLeases(loaded);
    apply(loaded.specs, loaded.trackers);
  };

  watchReadable(monitor.fd, guarded(log, "netlink event", () => {
    const events = monitor.drain();
    for (const d of devices.values()) d.onEvents(events);
    trackers.onEvents(events);
  }));

  removeFile(socketPath);
  const control = new ControlServer(socketPath);
  const answer = (req: unknown): Reply => {
    const cmd = typeof req === "object" && req !== null ? (req as { cmd?: unknown }).cmd : undefined;
    if (cmd === "status") return { ok: true, ...status() };
    if (cmd === "lease") return leaseRequest(req as Record<string, unknown>);
    if (cmd === "iface") return ifaceRequest(req as Record<string, unknown>);
    if (cmd === "switchover") {
      const holdMs = Number((req as { holdMs?: unknown }).holdMs ?? opts.switchoverHoldMs);
      const resigned: string[] = [];
      for (const { r } of runners()) {
        if (r.state?.role !== "master") continue;
        r.feed({ kind: "resign", holdMs });
        resigned.push(`vrid ${r.spec.vrid} ${r.spec.name}`);
      }
      return resigned.length
        ? { ok: true, resigned, holdMs }
        : { ok: false, error: "this router is master of no instance; run switchover on the master" };
    }
    return { ok: false, error: `unknown command ${JSON.stringify(cmd)}` };
  };
  /** `floatgw lease add|del MAC IP [HOSTNAME] [EXPIRES]`, from the dhcp hook. */
  const leaseRequest = (req: Record<string, unknown>): Reply => {
    const op = req.op;
    if (op !== "add" && op !== "del") return { ok: false, error: "lease: op must be add or del" };
    const expires = req.expires === undefined ? undefined : Number(req.expires);
    const hostname = req.hostname === undefined ? undefined : String(req.hostname);
    const error = leases.local(op, { mac: String(req.mac), ip: String(req.ip), hostname, expires });
    if (error !== null) return { ok: false, error: `lease: ${error}` };
    writeState();
    return { ok: true, degraded: leases.degraded() };
  };
  /** `floatgw iface ACTION INTERFACE`, from netifd's interface hotplug events. */
  const ifaceRequest = (req: Record<string, unknown>): Reply => {
    if (typeof req.interface !== "string" || typeof req.action !== "string") return { ok: false, error: "iface: needs action and interface" };
    return { ok: true, tracked: trackers.interfaceEvent(req.interface, req.action) };
  };
  watchReadable(control.fd, guarded(log, "control request", () => control.serve(answer)));

  const finish = (): void => {
    for (const d of devices.values()) d.stop();
    trackers.stop();
    writeState();
    leases.close();
    hotplug.drain(HOOK_BUDGET_AT_EXIT_MS, now);
    control.close();
    removeFile(socketPath);
    monitor.close();
    rtnl.close();
    exit(0);
  };
  let stopping = false;
  /** A graceful stop is a switchover first: masters send priority 0 but
   * keep answering for their VIPs until the backup is heard taking over (at
   * most HANDOVER_AT_EXIT_MS), so a reboot or upgrade loses no packet; then
   * everything stops and the VIPs go. */
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log("info", `${signal}: handing the VIPs over and stopping`);
    // A master cannot know whether a backup listens (backups are silent), so
    // every master hands over, but for at most half its own
    // Master_Down_Interval: well before that timer would make it master
    // again, with room for a busy event loop.
    let budget = HANDOVER_AT_EXIT_MS;
    for (const { r } of runners()) {
      const s = r.state;
      if (s?.role !== "master") continue;
      budget = Math.min(budget, Math.floor(masterDownIntervalMs(s.config.version, s.priority, s.masterAdverIntervalCs) / 2));
      r.feed({ kind: "resign", holdMs: 0 });
    }
    const deadline = now() + budget;
    const waitForHandover = guarded(log, "stop", () => {
      if (runners().some(({ r }) => r.state?.releasing) && now() < deadline) after(10, waitForHandover);
      else finish();
    });
    waitForHandover();
  };
  onSignal("TERM", guarded(log, "SIGTERM", () => shutdown("SIGTERM")));
  onSignal("INT", guarded(log, "SIGINT", () => shutdown("SIGINT")));
  onSignal("HUP", guarded(log, "SIGHUP", reload));
  onSignal("CHLD", guarded(log, "SIGCHLD", () => {
    hotplug.childExited();
    children.reap();
  }));

  configureLeases(first);
  apply(first.specs, first.trackers);
  const names = first.specs.map((s) => `vrid ${s.vrid} on ${s.device} (${s.vips.map((v) => formatAddr(v.addr)).join(", ")})`);
  log("info", `running ${names.join("; ")}; control socket ${socketPath}`);
  return true;
}
