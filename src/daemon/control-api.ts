// [CONTROL] What a client may ask floatgwd and what it answers: one typed
// contract for the control socket (the `floatgw` CLI, the dhcp hook) and for
// ubus (`ubus call floatgw ...`, LuCI). Every request is validated here and
// only here, whichever way it came: a bad one gets an error that names the
// argument and the reason, and changes nothing.
//
// On the control socket a request is one JSON object {"cmd": NAME, ...args}
// and the reply is {"ok": true, "result": ...} or {"ok": false, "kind",
// "error"}. On ubus the method is NAME with the same args (docs/ubus.md).
// No engine import: tests load this file under Node.
import type { DaemonStatus } from "./status-contract";

export const DEFAULT_SWITCHOVER_HOLD_S = 60;
export const MAX_SWITCHOVER_HOLD_S = 86400;

/** An argument's type; ubus shows it in the object's signature. */
export type ArgType = "string" | "int";

interface ArgSpec {
  readonly type: ArgType;
  readonly required: boolean;
}

/** Every command, its arguments, and whether ubus offers it (lease events
 * come from the local dnsmasq hook only). */
export const COMMANDS = {
  status: { ubus: true, args: {} },
  switchover: {
    ubus: true,
    args: { instance: { type: "string", required: false }, hold: { type: "int", required: false } },
  },
  reload: { ubus: true, args: {} },
  lease: {
    ubus: false,
    args: {
      op: { type: "string", required: true },
      mac: { type: "string", required: true },
      ip: { type: "string", required: true },
      hostname: { type: "string", required: false },
      expires: { type: "int", required: false },
    },
  },
} as const satisfies Record<string, { ubus: boolean; args: Record<string, ArgSpec> }>;

export type Command = keyof typeof COMMANDS;

export type ControlRequest =
  | { readonly cmd: "status" }
  /** instance null: every instance this router is master of. */
  | { readonly cmd: "switchover"; readonly instance: string | null; readonly holdS: number }
  | { readonly cmd: "reload" }
  | {
      readonly cmd: "lease";
      readonly op: "add" | "del";
      readonly mac: string;
      readonly ip: string;
      readonly hostname: string | null;
      /** Epoch seconds (0: never); null: the default lease time from now. */
      readonly expires: number | null;
    }
  /** netifd reported ACTION (ifup, ifdown, ...) for INTERFACE. */;

export interface SwitchoverResult {
  /** The instances that resigned. */
  resigned: { instance: string; vrid: number }[];
  /** Seconds during which they will not take the VIPs back. */
  hold: number;
}

export interface ReloadResult {
  /** The instances running after the reload. */
  instances: string[];
  warnings: string[];
}

export interface LeaseResult {
  /** Why the lease is not replicated now (the lease channel's state), or null. */
  degraded: string | null;
}

export interface Results {
  status: DaemonStatus;
  switchover: SwitchoverResult;
  reload: ReloadResult;
  lease: LeaseResult;
}

/** "invalid": a malformed request; "not-found": it names something that
 * does not exist; "refused": valid, but not possible now. */
export type ErrorKind = "invalid" | "not-found" | "refused";

export type Reply<T> = { ok: true; result: T } | { ok: false; kind: ErrorKind; error: string };

export function failure(kind: ErrorKind, error: string): { ok: false; kind: ErrorKind; error: string } {
  return { ok: false, kind, error };
}

function isCommand(cmd: unknown): cmd is Command {
  return typeof cmd === "string" && Object.prototype.hasOwnProperty.call(COMMANDS, cmd);
}

function describe(v: unknown): string {
  return typeof v === "string" ? `'${v}'` : JSON.stringify(v) ?? String(v);
}

/** The argument uhttpd's ubus JSON-RPC (what LuCI calls through) adds to
 * every call it forwards: the caller's rpcd session, already checked
 * against its ACL by then. Not ours to refuse. */
export const RPC_SESSION_ARG = "ubus_rpc_session";

/** Checks a request's arguments against COMMANDS and the commands' own
 * rules. `via` says which commands the channel offers. */
export function parseRequest(cmd: unknown, args: unknown, via: "control" | "ubus"): Reply<ControlRequest> {
  if (!isCommand(cmd) || (via === "ubus" && !COMMANDS[cmd].ubus)) return failure("invalid", `unknown command ${describe(cmd)}`);
  if (typeof args !== "object" || args === null || Array.isArray(args)) return failure("invalid", `${cmd}: arguments must be an object`);
  const spec: Record<string, ArgSpec> = COMMANDS[cmd].args;
  const given = { ...(args as Record<string, unknown>) };
  if (via === "ubus") delete given[RPC_SESSION_ARG];
  const known = Object.keys(spec);
  for (const name of Object.keys(given)) {
    if (!known.includes(name)) {
      return failure("invalid", `${cmd}: unknown argument '${name}'${known.length ? ` (it takes ${known.join(", ")})` : " (it takes none)"}`);
    }
  }
  for (const name of known) {
    const a = spec[name] as ArgSpec;
    const v = given[name];
    if (v === undefined || v === null) {
      if (a.required) return failure("invalid", `${cmd}: argument '${name}' is missing`);
      continue;
    }
    if (a.type === "string" ? typeof v !== "string" : !Number.isSafeInteger(v)) {
      return failure("invalid", `${cmd}: argument '${name}' must be ${a.type === "string" ? "a string" : "a whole number"}, not ${describe(v)}`);
    }
  }
  const str = (name: string): string | null => (typeof given[name] === "string" ? (given[name] as string) : null);
  const int = (name: string): number | null => (typeof given[name] === "number" ? (given[name] as number) : null);
  switch (cmd) {
    case "status":
    case "reload":
      return { ok: true, result: { cmd } };
    case "switchover": {
      const holdS = int("hold") ?? DEFAULT_SWITCHOVER_HOLD_S;
      if (holdS < 0 || holdS > MAX_SWITCHOVER_HOLD_S) return failure("invalid", `switchover: hold must be 0-${MAX_SWITCHOVER_HOLD_S} seconds, not ${holdS}`);
      const instance = str("instance");
      if (instance === "") return failure("invalid", "switchover: instance must not be empty");
      return { ok: true, result: { cmd, instance, holdS } };
    }
    case "lease": {
      const op = str("op");
      if (op !== "add" && op !== "del") return failure("invalid", `lease: op must be add or del, not ${describe(op)}`);
      const expires = int("expires");
      if (expires !== null && (expires < 0 || expires > 0xffffffff)) return failure("invalid", `lease: expires must be epoch seconds, not ${expires}`);
      return { ok: true, result: { cmd, op, mac: str("mac") ?? "", ip: str("ip") ?? "", hostname: str("hostname"), expires } };
    }
  }
}

/** The control socket's datagram for a request: the inverse of parseRequest. */
export function requestBody(r: ControlRequest): Record<string, unknown> {
  switch (r.cmd) {
    case "status":
    case "reload":
      return { cmd: r.cmd };
    case "switchover":
      return { cmd: r.cmd, instance: r.instance, hold: r.holdS };
    case "lease":
      return { cmd: r.cmd, op: r.op, mac: r.mac, ip: r.ip, hostname: r.hostname, expires: r.expires };
  }
}
