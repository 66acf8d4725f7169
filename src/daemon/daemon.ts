// floatgwd: every configured instance, grouped by device, driven by
// QuickJS's event loop; the netlink monitor, the control socket, the state
// file, the hotplug hooks and the signals (SIGTERM/SIGINT: resign and leave;
// SIGHUP: reload the configuration without disturbing what did not change).
import { formatAddr } from "../core/addr";
import { masterDownIntervalMs } from "../core/timing";
import type { Ms } from "../core/units";
import { type HotplugAction, Hotplug } from "../integrations/hotplug";
import { TransitionQueue } from "../integrations/transition-queue";
import { ControlServer, type Reply } from "../platform/control";
import { after, exit, makeDirs, monotonicMs, onSignal, removeFile, watchReadable, writeFileAtomic } from "../platform/engine";
import { Rtnl, RtnlMonitor } from "../platform/rtnl";
import { Device } from "./device";
import { type Loaded, loadDaemonConfig } from "./load";
import { LeaseSync } from "./lease-sync";
import { guarded, logger, setLogLevel } from "./log";
import { type InstanceSpec, onlyPriorityDiffers } from "./spec";
import { daemonStatus } from "./status";

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
/** Control requests answered per turn of the event loop. */
const CONTROL_PER_TURN = 16;
/** The longest switchover hold-off a request may ask for (a day, as the CLI allows). */
const MAX_HOLD_MS = 86_400_000;
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
  const notifications = new TransitionQueue(logger("hotplug"));
  const devices = new Map<string, Device>();

  /** The instance the lease channel follows: the first IPv4 one with dhcp '1'. */
  const leaseRunner = () => runners().find(({ r }) => r.spec.dhcp && r.spec.family === 4);
  const leases = new LeaseSync({
    now,
    vrrpPeers: () => {
      const found = leaseRunner();
      if (!found) return [];
      const { r } = found;
      if (r.spec.unicastPeers.length > 0) return r.spec.unicastPeers.map((p) => p.bytes);
      return r.lastPeer ? [r.lastPeer.addr.bytes] : [];
    },
    binding: () => {
      const found = leaseRunner();
      const primary = found?.r.primary;
      return found && primary ? { device: found.r.spec.device, address: primary.bytes } : null;
    },
  }, logger("leases"));
  const status = (): Record<string, unknown> => ({ ...daemonStatus([...devices.values()], now(), startedAt), leaseChannel: leases.status() });
  const writeState = (): void => {
    // 0600: the state holds the clients' leases.
    if (!writeFileAtomic(statePath, JSON.stringify(status()) + "\n", 0o600)) {
      log("warn", `cannot write ${statePath}`);
    }
  };
  const host = {
    now,
    changed: writeState,
    notify: (spec: InstanceSpec, from: string, to: string, reason: string, priority: number): void => {
      writeState();
      const action = ACTIONS[to];
      if (!action) return;
      // The replicated leases go into dnsmasq's lease file before the hook
      // restarts dnsmasq with DHCP on (hooks run after this, in order).
      if (action === "master" && spec.dhcp && leases.replicating) leases.writeLeaseFile();
      const commands = hotplug.commands({
        action, instance: spec.name, vrid: spec.vrid, interface: spec.interface ?? "", device: spec.device,
        vips: spec.vips.map((v) => `${formatAddr(v.addr)}/${v.prefix}`), priority, from, reason, dhcp: spec.dhcp,
      });
      if (commands.length > 0) notifications.push({ key: spec.name, state: action, label: `${action} of ${spec.name}`, commands });
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

  /** Brings the running instances in line with `specs`: unchanged ones keep
   * their state and timers, a changed priority applies live, anything else
   * changed restarts that instance, removed ones resign. */
  const apply = (specs: InstanceSpec[]): void => {
    for (const { d, r } of runners()) {
      const next = specs.find((s) => s.name === r.spec.name);
      if (next && next.device === r.spec.device && onlyPriorityDiffers(r.spec, next)) {
        if (next.priority !== r.spec.priority) r.updatePriority(next);
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
    // The event loop sends no advert while this runs: say how long it took.
    const started = monotonicMs();
    const loaded = loadDaemonConfig(opts.configPath);
    log("info", `read ${opts.configPath} in ${Math.round(monotonicMs() - started)} ms`);
    report(loaded);
    if (!loaded.ok) {
      log("error", `reload of ${opts.configPath} rejected; the running instances are unchanged`);
      return;
    }
    setLogLevel(loaded.global.logLevel);
    hotplug.setCommand(loaded.global.hotplugCommand);
    log("info", `reloading ${opts.configPath}`);
    apply(loaded.specs);
    configureLeases(loaded);
    log("info", `reloaded in ${Math.round(monotonicMs() - started)} ms`);
  };

  watchReadable(monitor.fd, guarded(log, "netlink event", () => {
    const events = monitor.drain();
    for (const d of devices.values()) d.onEvents(events);
  }));

  removeFile(socketPath);
  const control = new ControlServer(socketPath);
  const answer = (req: unknown): Reply => {
    const cmd = typeof req === "object" && req !== null ? (req as { cmd?: unknown }).cmd : undefined;
    if (cmd === "status") return { ok: true, ...status() };
    if (cmd === "lease") return leaseRequest(req as Record<string, unknown>);
    if (cmd === "switchover") {
      const hold = (req as { holdMs?: unknown }).holdMs ?? opts.switchoverHoldMs;
      if (typeof hold !== "number" || !Number.isInteger(hold) || hold < 0 || hold > MAX_HOLD_MS)
        return { ok: false, error: `switchover: holdMs must be a whole number of milliseconds 0-${MAX_HOLD_MS}` };
      const holdMs = hold;
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
    const { op, mac, ip, hostname, expires } = req;
    if (op !== "add" && op !== "del") return { ok: false, error: "lease: op must be add or del" };
    if (typeof mac !== "string" || typeof ip !== "string") return { ok: false, error: "lease: mac and ip must be strings" };
    if (hostname !== undefined && typeof hostname !== "string") return { ok: false, error: "lease: hostname must be a string" };
    if (expires !== undefined && typeof expires !== "number") return { ok: false, error: "lease: expires must be a number" };
    const error = leases.local(op, { mac, ip, hostname, expires });
    if (error !== null) return { ok: false, error: `lease: ${error}` };
    writeState();
    return { ok: true, degraded: leases.degraded() };
  };
  watchReadable(control.fd, guarded(log, "control request", () => control.serve(answer, CONTROL_PER_TURN)));

  const finish = (): void => {
    for (const d of devices.values()) d.stop();
    writeState();
    leases.stop();
    notifications.drain(HOOK_BUDGET_AT_EXIT_MS, now);
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
  onSignal("CHLD", guarded(log, "SIGCHLD", () => notifications.childExited()));

  apply(first.specs);
  configureLeases(first);
  const names = first.specs.map((s) => `vrid ${s.vrid} on ${s.device} (${s.vips.map((v) => formatAddr(v.addr)).join(", ")})`);
  log("info", `running ${names.join("; ")}; control socket ${socketPath}`);
  return true;
}
