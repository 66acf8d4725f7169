// floatgwd: every configured instance, grouped by device, driven by
// QuickJS's event loop; the netlink monitor, the control socket and ubus
// (both answering the control API), the state file, the hotplug hooks and
// the signals (SIGTERM/SIGINT: resign and leave; SIGHUP: reload the
// configuration without disturbing what did not change).
import type { Owner } from "../config/routes";
import type { SyncGroupConfig } from "../config/sync-groups";
import type { ValidationResult } from "../config/validate";
import { formatAddr } from "../core/addr";
import type { Role } from "../core/state";
import { masterDownIntervalMs } from "../core/timing";
import type { Ms } from "../core/units";
import { type HotplugAction, Hotplug } from "../integrations/hotplug";
import { Netifd } from "../integrations/netifd";
import { notifyArgvs } from "../integrations/notify";
import { TransitionQueue } from "../integrations/transition-queue";
import { Children } from "../platform/children";
import { ControlServer } from "../platform/control";
import { after, exit, makeDirs, monotonicMs, onSignal, readTextFile, removeFile, sys, watchReadable, writeFileAtomic } from "../platform/engine";
import { IFF_RUNNING, IFF_UP } from "../platform/netlink";
import { RouteTable, Rtnl, RtnlMonitor } from "../platform/rtnl";
import type { TrackUse } from "../track/spec";
import { AfterTransitions } from "./after-transitions";
import { Device } from "./device";
import { BackgroundLoad } from "./background-load";
import { type Loaded, daemonConfig, loadDaemonConfig } from "./load";
import { LeaseSync } from "./lease-sync";
import { guarded, logger, setLogLevel } from "./log";
import { type ControlRequest, type Reply, type Results, failure, parseRequest } from "./control-api";
import { Notifications } from "./notifications";
import { VirtualRoutes } from "./routes";
import { type InstanceSpec, changesLive } from "./spec";
import { daemonStatus, dhcpRole } from "./status";
import type { DaemonStatus } from "./status-contract";
import { SyncGroups } from "./sync-groups";
import { TrackerSet } from "./trackers";
import { Watcher } from "./watcher";
import { DaemonUbus } from "./ubus";

export interface DaemonOptions {
  configPath: string;
  runDir: string;
  /** ubusd's socket. */
  ubusSocket: string;
}

const log = logger("");
/** Control requests answered per turn of the event loop. */
const CONTROL_PER_TURN = 16;
/** How long the hooks still queued or running at exit may take, after the
 * VIPs are gone: a resign hook and a stop hook that each commit
 * /etc/config/dhcp and restart dnsmasq can take seconds on a slow router.
 * Well inside the 15 s procd waits before SIGKILL (term_timeout in the init
 * script, which also gives dnsmasq's configuration back itself should the
 * stop hooks not finish). */
const HOOK_BUDGET_AT_EXIT_MS = 10_000;
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
  const netifd = new Netifd(opts.ubusSocket);
  const resolve = (iface: string): string | null => netifd.device(iface);
  const first = loadDaemonConfig(opts.configPath, resolve);
  report(first);
  if (!first.ok) {
    log("error", "nothing started");
    return false;
  }
  setLogLevel(first.global.logLevel);

  // To the microsecond, as the timers (engine.ts, after): a deadline is
  // due when the timer set for it runs, not up to 1 ms later.
  const now = (): Ms => monotonicMs() as Ms;
  const startedAt = now();
  const rtnl = new Rtnl();
  const monitor = new RtnlMonitor();
  monitor.ignoreUseless(rtnl);
  const statePath = `${opts.runDir}/state.json`;
  const socketPath = `${opts.runDir}/floatgwd.sock`;
  if (!makeDirs(opts.runDir)) log("warn", `cannot create ${opts.runDir}`);
  const hotplug = new Hotplug(first.global.hotplugCommand, logger("hotplug"));
  const queue = new TransitionQueue(logger("hotplug"));
  queue.setTimeoutMs(first.global.notifyTimeoutMs);
  hotplug.setScriptUser(first.global.scriptUser);
  const devices = new Map<string, Device>();
  const children = new Children();
  const hostname = (readTextFile("/proc/sys/kernel/hostname") ?? "").trim() || "floatgw";
  const notifications = new Notifications(hostname, logger, now);
  const trackers = new TrackerSet({
    now,
    children,
    rtnl,
    hostname,
    netifd,
    // The transitions it causes are one batch: one state file.
    changed: (name) => afterTransitions.run(() => {
      const state = trackers.views(now()).find((v) => v.name === name)?.state ?? "changed";
      for (const { r } of runners()) if (r.spec.track.some((u) => u.tracker === name)) r.assess(`tracker ${name} ${state}`);
      afterTransitions.once(writeState);
    }),
  }, logger);

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
  const ubus = new DaemonUbus(opts.ubusSocket, {
    now,
    answer: (cmd, args, respond) => answer(cmd, args, "ubus", respond),
    interfaceEvent: (iface, action) => trackers.interfaceEvent(iface, action),
    listening: () => trackers.refreshInterfaces(),
  }, logger("ubus"));
  const routes = new VirtualRoutes(new RouteTable(rtnl), logger("routes"));
  const afterTransitions = new AfterTransitions();
  /** The routes that follow `owner` go in once every VIP of the
   * transitions under way is on; they go out at once, before the VIPs. */
  const routesFollow = (owner: Owner, held: boolean): void => {
    const hold = () => routes.hold(owner, held);
    if (held) afterTransitions.at("routes", hold);
    else hold();
  };
  const groups = new SyncGroups({
    now,
    runner: (name) => runners().find(({ r }) => r.spec.name === name)?.r,
    transition: (group, from, to, reason) => {
      routesFollow({ kind: "sync_group", name: group.name }, to === "master");
      // After its members' lines (runner.ts).
      afterTransitions.at("announcements", () => logger(`sync group ${group.name}`)("info", `${from} -> ${to}: ${reason}`));
      afterTransitions.at("effects", () => groupEffects(group, from, to, reason));
      afterTransitions.once(writeState);
    },
  });
  /** What a sync group's transition sets off besides its routes. */
  const groupEffects = (group: SyncGroupConfig, from: Role, to: Role, reason: string): void => {
    const action = ACTIONS[to];
    if (action) {
      const commands = [
        ...hotplug.groupCommands({ action, group: group.name, members: group.members, from, reason }),
        ...hotplug.scripts(`GROUP ${group.name}`, notifyArgvs(group.notify.commands, "GROUP", group.name, to, 0)),
      ];
      if (commands.length > 0) queue.push({ key: `GROUP ${group.name}`, state: action, label: `${action} of sync group ${group.name}`, commands });
    }
    const members = group.members.map((m) => runners().find(({ r }) => r.spec.name === m)?.r);
    notifications.transition({
      kind: "sync group", name: group.name, about: `members ${group.members.join(", ")}`, from, to, reason, notify: group.notify,
      priority: members.map((r) => (r ? `${r.spec.name} ${r.breakdown.effective}` : "")).filter((p) => p !== "").join(", "),
    });
  };
  const status = (): DaemonStatus => daemonStatus({
    devices: [...devices.values()], now: now(), startedAt, pid: sys.getpid(), trackers: trackers.views(now()),
    syncGroups: groups.status(now()), routes: routes.status(), mail: notifications.status(), leaseChannel: leases.status(), ubus: ubus.status(),
  });
  const writeState = (): void => {
    // 0600: the state holds the clients' leases.
    if (!writeFileAtomic(statePath, JSON.stringify(status()) + "\n", 0o600)) {
      log("warn", `cannot write ${statePath}`);
    }
  };
  const watcher = new Watcher({
    now,
    watched: () => [...devices.values()].flatMap((d) => d.watched()),
    abandon: () => {
      for (const { r } of runners()) if (r.state?.role === "master") r.feed({ kind: "abandoned" });
    },
    carried: (c) => {
      for (const { r } of runners()) r.setCarried(c.beacons.has(r.spec.name), c.renewals.has(r.spec.name));
    },
    renewalsEnded: (names) => {
      for (const { r } of runners()) if (names.has(r.spec.name)) r.renewalsEnded();
    },
  }, children, logger("dead-man switch"));
  const host = {
    now,
    changed: () => {
      watcher.update();
      afterTransitions.once(writeState);
    },
    alive: () => watcher.check(),
    beaconChanged: (stopped: boolean) => {
      if (stopped) watcher.updateNow();
      else watcher.updateBeacon();
    },
    beaconsSent: (name: string) => watcher.beaconsSent(name),
    trackTerms: (uses: readonly TrackUse[]) => uses.map((u) => trackers.term(u)),
    groupFaults: (spec: InstanceSpec) => groups.faults(spec),
    ownFaultsChanged: (spec: InstanceSpec) => groups.ownFaultsChanged(spec),
    wantMaster: (spec: InstanceSpec, reason: string) => groups.wantMaster(spec, reason),
    vipsHeld: (spec: InstanceSpec, held: boolean) => routesFollow({ kind: "vip", name: spec.name }, held),
    transitions: (work: () => void) => afterTransitions.run(work),
    afterVips: (work: () => void) => afterTransitions.at("announcements", work),
    // The group follows its member at once (its other members' VIPs go on
    // now); the member's state file, hooks and notifications wait until the
    // batch's routes and announcements are done, and keep their order
    // (after-transitions.ts).
    notify: (spec: InstanceSpec, from: Role, to: Role, reason: string, priority: number): void => {
      watcher.update();
      afterTransitions.at("effects", () => transitionEffects(spec, from, to, reason, priority));
      afterTransitions.once(writeState);
      groups.transition(spec, from, to, reason);
    },
  };
  /** What an instance's transition sets off besides its VIPs, routes and
   * announcements (the state file is written once the batch is done). */
  const transitionEffects = (spec: InstanceSpec, from: Role, to: Role, reason: string, priority: number): void => {
    const action = ACTIONS[to];
    if (!action) return;
    // The replicated leases go into dnsmasq's lease file before the hook
    // restarts dnsmasq with DHCP on (hooks run after this, in order).
    if (action === "master" && spec.dhcp && leases.replicating) leases.writeLeaseFile();
    const vips = spec.vips.map((v) => `${formatAddr(v.addr)}/${v.prefix}`);
    ubus.transition({
      instance: spec.name, interface: spec.interface, device: spec.device, vrid: spec.vrid,
      from, to, priority, reason, vips, dhcp: dhcpRole(spec, to),
    });
    const commands = hotplug.commands({
      action, instance: spec.name, vrid: spec.vrid, interface: spec.interface ?? "", device: spec.device,
      vips, priority, from, reason, dhcp: spec.dhcp,
    });
    // keepalived goes from MASTER straight to STOP when it shuts down: the
    // handover's step to backup (for the hooks and dnsmasq) runs no notify script.
    if (!(stopping && to === "backup")) {
      commands.push(...hotplug.scripts(`INSTANCE ${spec.name}`, notifyArgvs(spec.notify.commands, "INSTANCE", spec.name, to, priority)));
    }
    if (commands.length > 0) queue.push({ key: spec.name, state: action, label: `${action} of ${spec.name}`, commands });
    notifications.transition({
      kind: "instance", name: spec.name, about: `vrid ${spec.vrid} on ${spec.device}, ${vips.join(", ")}`,
      from, to, priority: String(priority), reason, notify: spec.notify,
    });
  };

  const device = (name: string): Device => {
    let d = devices.get(name);
    if (!d) {
      d = new Device(name, rtnl, host, children, logger(name));
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
  const apply = (loaded: Extract<Loaded, { ok: true }>): void => {
    const specs = loaded.specs;
    notifications.configure(loaded.global);
    trackers.apply(loaded.trackers);
    // Groups and routes first: the instances starting below already use them.
    groups.apply(loaded.syncGroups);
    routes.apply(loaded.followers);
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
    watcher.update();
    writeState();
  };

  /** Applies a reload's read of the file (background-load.ts); the event
   * loop is blocked only for this. */
  const applyReload = (read: ValidationResult): Reply<Results["reload"]> => {
    const started = monotonicMs();
    const loaded = daemonConfig(opts.configPath, read, resolve);
    report(loaded);
    if (!loaded.ok) {
      const why = `reload of ${opts.configPath} rejected; the running instances are unchanged`;
      log("error", why);
      return failure("refused", `${why}: ${loaded.errors.join("; ")}`);
    }
    setLogLevel(loaded.global.logLevel);
    hotplug.setCommand(loaded.global.hotplugCommand);
    queue.setTimeoutMs(loaded.global.notifyTimeoutMs);
    hotplug.setScriptUser(loaded.global.scriptUser);
    log("info", `reloading ${opts.configPath}`);
    configureLeases(loaded);
    apply(loaded);
    log("info", `reloaded in ${Math.round(monotonicMs() - started)} ms`);
    return { ok: true, result: { instances: runners().map(({ r }) => r.spec.name), warnings: loaded.warnings } };
  };
  const reader = new BackgroundLoad(opts.configPath, `${opts.runDir}/reload.json`, children, applyReload);
  /** Reads the file in a child while the event loop runs on; `respond` gets the outcome. */
  const reload = (respond: (reply: Reply<Results["reload"]>) => void): void => {
    log("info", reader.busy ? `reload asked while ${opts.configPath} is being read: reading it again after that` : `reading ${opts.configPath} to reload`);
    reader.request(respond);
  };

  /** Resigns the named instance, or every instance this router is master of. */
  const switchover = (req: { instance: string | null; holdS: number }, via: string): Reply<Results["switchover"]> => {
    const all = runners().map(({ r }) => r);
    let targets = all.filter((r) => r.state?.role === "master");
    if (req.instance !== null) {
      const one = all.find((r) => r.spec.name === req.instance);
      if (!one) return failure("not-found", `switchover: no instance '${req.instance}' (this daemon runs ${all.map((r) => r.spec.name).join(", ")})`);
      const role = one.state?.role ?? "waiting";
      if (role !== "master") return failure("refused", `switchover: instance '${one.spec.name}' is ${role} here, not master; run switchover on the master`);
      targets = [one];
    }
    if (targets.length === 0) return failure("refused", "switchover: this router is master of no instance; run switchover on the master");
    // The priority 0 first, the log line after: the backup's Skew_Time
    // starts when the advert is on the wire.
    for (const r of targets) r.feed({ kind: "resign", holdMs: req.holdS * 1000 });
    log("info", `switchover requested (${via}): ${targets.map((r) => r.spec.name).join(", ")} resign, holding off for ${req.holdS} s`);
    return { ok: true, result: { resigned: targets.map((r) => ({ instance: r.spec.name, vrid: r.spec.vrid })), hold: req.holdS } };
  };

  /** A lease event of the local dnsmasq, from the dhcp hook. */
  const lease = (req: Extract<ControlRequest, { cmd: "lease" }>): Reply<Results["lease"]> => {
    const error = leases.local(req.op, { mac: req.mac, ip: req.ip, hostname: req.hostname ?? undefined, expires: req.expires ?? undefined });
    if (error !== null) return failure("invalid", `lease: ${error}`);
    writeState();
    return { ok: true, result: { degraded: leases.degraded() } };
  };

  /** Every request, from the control socket or ubus, goes through here;
   * `respond` gets the reply, at once or, for a reload, when it is done. */
  const answer = (cmd: unknown, args: unknown, via: "control" | "ubus", respond: (reply: Reply<Results[keyof Results]>) => void): void => {
    const parsed = parseRequest(cmd, args, via);
    if (!parsed.ok) return respond(parsed);
    const req = parsed.result;
    switch (req.cmd) {
      case "status":
        return respond({ ok: true, result: status() });
      case "switchover":
        // The resigning instances' transitions are one batch, and the reply
        // goes before their state file, hooks and mail.
        return afterTransitions.run(() => respond(switchover(req, via)));
      case "reload":
        return reload(respond);
      case "lease":
        return respond(lease(req));
    }
  };

  // The transitions a read of events causes are one batch (a sync group's
  // member at fault, then the others): every priority 0 before any hook.
  watchReadable(monitor.fd, guarded(log, "netlink event", () => afterTransitions.run(() => {
    const events = monitor.drain();
    for (const d of devices.values()) d.onEvents(events);
    trackers.onEvents(events);
    for (const e of events) if (e.kind === "link" && e.link.name !== null && (e.link.flags & IFF_UP) !== 0 && (e.link.flags & IFF_RUNNING) !== 0) routes.linkUp(e.link.name);
    // A device re-created has new sockets and a new ifindex.
    watcher.update();
  })));

  removeFile(socketPath);
  const control = new ControlServer(socketPath);
  /** A control datagram is {"cmd": NAME, ...args} (control-api.ts). */
  const controlRequest = (text: string | null, respond: (reply: Reply<unknown>) => void): void => {
    if (text === null) return respond(failure("invalid", "bad request: not UTF-8"));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return respond(failure("invalid", `bad request: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return respond(failure("invalid", "bad request: not a JSON object"));
    const { cmd, ...args } = body as Record<string, unknown>;
    answer(cmd, args, "control", respond);
  };
  watchReadable(control.fd, guarded(log, "control request", () => control.serve(controlRequest, CONTROL_PER_TURN)));

  const finish = (): void => {
    watcher.stop();
    for (const d of devices.values()) d.stop();
    groups.stop();
    routes.removeAll();
    trackers.stop();
    writeState();
    leases.stop();
    notifications.close();
    queue.drain(HOOK_BUDGET_AT_EXIT_MS, now);
    ubus.close();
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
    // The handover below is ours: the dead-man switch must not fire it again.
    watcher.stop();
    // Every master hands over on its own: the groups must not drag the others out early.
    groups.freeze();
    // A master cannot know whether a backup listens (backups are silent), so
    // every master hands over, but for at most half its own
    // Master_Down_Interval: well before that timer would make it master
    // again, with room for a busy event loop.
    let budget = HANDOVER_AT_EXIT_MS;
    // One batch: every priority 0 goes before any instance's hooks.
    afterTransitions.run(() => {
      for (const { r } of runners()) {
        const s = r.state;
        if (s?.role !== "master") continue;
        budget = Math.min(budget, Math.floor(masterDownIntervalMs(s.config.version, s.priority, s.masterAdverIntervalCs) / 2));
        r.feed({ kind: "resign", holdMs: 0 });
      }
    });
    // Logged after the priority 0 went: the backup's Skew_Time runs from it.
    log("info", `${signal}: handing the VIPs over and stopping`);
    const deadline = now() + budget;
    const waitForHandover = guarded(log, "stop", () => {
      if (runners().some(({ r }) => r.state?.releasing) && now() < deadline) after(10, waitForHandover);
      else finish();
    });
    waitForHandover();
  };
  onSignal("TERM", guarded(log, "SIGTERM", () => shutdown("SIGTERM")));
  onSignal("INT", guarded(log, "SIGINT", () => shutdown("SIGINT")));
  onSignal("HUP", guarded(log, "SIGHUP", () => reload(() => {})));
  onSignal("CHLD", guarded(log, "SIGCHLD", () => {
    queue.childExited();
    children.reap();
  }));

  // ubus first, so that the first transitions reach a ubusd that is there.
  ubus.start();
  routes.removeLeftovers();
  apply(first);
  // The lease channel once the instances run (their Master_Down_Timers
  // count from here): it decides nothing in an election, its key costs
  // hashing, and its first hello can bind to the instance's address.
  configureLeases(first);
  // Its part of the state file.
  if (leases.status() !== null) writeState();
  const names = first.specs.map((s) => `vrid ${s.vrid} on ${s.device} (${s.vips.map((v) => formatAddr(v.addr)).join(", ")})`);
  log("info", `running ${names.join("; ")}; control socket ${socketPath}`);
  return true;
}
