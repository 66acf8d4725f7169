// floatgwd: every configured instance, grouped by device, driven by
// QuickJS's event loop; the netlink monitor, the control socket, the state
// file and the signals (SIGTERM/SIGINT: resign and leave).
import { formatAddr } from "../core/addr";
import type { Ms } from "../core/units";
import { ControlServer, type Reply } from "../platform/control";
import { exit, makeDirs, monotonicMs, onSignal, removeFile, watchReadable, writeFileAtomic } from "../platform/engine";
import { Rtnl, RtnlMonitor } from "../platform/rtnl";
import { Device } from "./device";
import { guarded, logger } from "./log";
import type { InstanceSpec } from "./spec";
import { daemonStatus } from "./status";

export interface DaemonOptions {
  specs: InstanceSpec[];
  runDir: string;
  /** Default hold-off of a switchover, so the peer keeps the VIP. */
  switchoverHoldMs: number;
}

const log = logger("");

export function runDaemon(opts: DaemonOptions): void {
  const now = (): Ms => Math.floor(monotonicMs()) as Ms;
  const startedAt = now();
  const rtnl = new Rtnl();
  const monitor = new RtnlMonitor();
  const statePath = `${opts.runDir}/state.json`;
  const socketPath = `${opts.runDir}/floatgwd.sock`;
  if (!makeDirs(opts.runDir)) log("warn", `cannot create ${opts.runDir}`);

  const writeState = (): void => {
    if (!writeFileAtomic(statePath, JSON.stringify(daemonStatus(devices, now(), startedAt)) + "\n")) {
      log("warn", `cannot write ${statePath}`);
    }
  };
  const host = {
    now,
    changed: writeState,
    notify: () => writeState(),
  };

  const byDevice = new Map<string, InstanceSpec[]>();
  for (const spec of opts.specs) byDevice.set(spec.device, [...(byDevice.get(spec.device) ?? []), spec]);
  const devices = [...byDevice].map(([name, specs]) => new Device(name, specs, rtnl, host, logger(name)));

  watchReadable(monitor.fd, guarded(log, "netlink event", () => {
    const events = monitor.drain();
    for (const d of devices) d.onEvents(events);
  }));

  removeFile(socketPath);
  const control = new ControlServer(socketPath);
  watchReadable(control.fd, guarded(log, "control request", () => control.serve((req) => answer(req))));

  const answer = (req: unknown): Reply => {
    const cmd = typeof req === "object" && req !== null ? (req as { cmd?: unknown }).cmd : undefined;
    if (cmd === "status") return { ok: true, ...daemonStatus(devices, now(), startedAt) };
    if (cmd === "switchover") {
      const holdMs = Number((req as { holdMs?: unknown }).holdMs ?? opts.switchoverHoldMs);
      const resigned: string[] = [];
      for (const d of devices) {
        for (const r of d.runners) {
          if (r.state?.role !== "master") continue;
          r.feed({ kind: "resign", holdMs });
          resigned.push(`vrid ${r.spec.vrid} ${r.spec.name}`);
        }
      }
      return resigned.length
        ? { ok: true, resigned, holdMs }
        : { ok: false, error: "this router is master of no instance; run switchover on the master" };
    }
    return { ok: false, error: `unknown command ${JSON.stringify(cmd)}` };
  };

  const shutdown = (signal: string): void => {
    log("info", `${signal}: resigning and removing the VIPs`);
    for (const d of devices) d.stop();
    writeState();
    control.close();
    removeFile(socketPath);
    monitor.close();
    rtnl.close();
    exit(0);
  };
  onSignal("TERM", () => shutdown("SIGTERM"));
  onSignal("INT", () => shutdown("SIGINT"));

  for (const d of devices) d.start();
  writeState();
  const names = opts.specs.map((s) => `vrid ${s.vrid} on ${s.device} (${s.vips.map((v) => formatAddr(v.addr)).join(", ")})`);
  log("info", `running ${names.join("; ")}; control socket ${socketPath}`);
}
