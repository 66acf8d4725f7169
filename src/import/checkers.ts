// LVS virtual servers: IPVS is not supported, so every line is reported;
// but the health checks of a virtual server on a converted VIP say whether
// the service behind that VIP works, and become trackers of its vip
// section (weight 0: the VIP moves to the router whose service works).
// keepalived only took a failing real server out of the IPVS pool, so this
// is converted differently, and only where it means the same thing for the
// VIP: a virtual server with a single real server. With several, one
// failing backend would move the VIP although the others serve it.
//
// keepalived's checker defaults (check/check_api.c): delay_loop 60 s (from
// the real server or the virtual server), connect_timeout 5 s, retry 1
// (fall = retry + 1), delay_before_retry 1 s, HTTP status 200-299,
// connect_ip and connect_port the real server's, SMTP port 25.

import { parseIp } from "../config/values";
import type { UciDraftOption } from "../config/uci-write";
import { splitQuoted } from "./conf-text";
import type { ConfNode } from "./conf-tree";
import { type Scope, inner, report, reportAll } from "./rules";
import type { TrackerRegistry } from "./trackers";

const IPVS_NOTE = "IPVS (LVS) is not supported: floatgw moves addresses between routers, it does not balance load";
const CHECKERS = ["HTTP_GET", "SSL_GET", "TCP_CHECK", "SMTP_CHECK", "MISC_CHECK", "DNS_CHECK", "BFD_CHECK", "PING_CHECK", "UDP_CHECK", "FILE_CHECK"];
const CONVERTIBLE = ["HTTP_GET", "TCP_CHECK", "SMTP_CHECK", "MISC_CHECK", "PING_CHECK"];

export interface VirtualServerContext {
  /** The vip section an address belongs to, if converted. */
  vipOf(address: string): string | null;
  readonly registry: TrackerRegistry;
  /** Adds `track 'TRACKER'` to a vip section. */
  addTrack(vip: string, tracker: string): void;
}

function option(name: string, value: string | number): UciDraftOption {
  return { name, values: [String(value)], list: false };
}

/** The value of `keyword` in a block, looked up in the checker first, then the real and virtual servers. */
function setting(blocks: readonly (readonly ConfNode[])[], keyword: string): string | null {
  for (const b of blocks) {
    const n = b.find((x) => x.keyword === keyword);
    if (n?.args[0] !== undefined) return n.args[0];
  }
  return null;
}

/** Decimal seconds as floatgw writes them, or null when not a number. */
function secondsText(text: string | null, fallback: string): string | null {
  const t = text ?? fallback;
  return /^[0-9]+(\.[0-9]{1,3})?$/.test(t) ? t : null;
}

/** The tracker options of one checker; a reason when floatgw cannot poll it. */
function checkerOptions(checker: ConfNode, rs: ConfNode, vs: ConfNode): UciDraftOption[] | string {
  const own = checker.block ?? [];
  const blocks = [own, rs.block ?? [], vs.block ?? []];
  const interval = secondsText(setting(blocks, "delay_loop"), "60");
  const timeout = secondsText(setting(blocks, "connect_timeout"), "5");
  const retry = Number(setting(blocks, "retry") ?? setting([own], "nb_get_retry") ?? "1");
  const retryInterval = secondsText(setting(blocks, "delay_before_retry"), "1");
  if (interval === null || timeout === null || retryInterval === null || !Number.isInteger(retry) || retry < 0)
    return "a timing value that is not a number of seconds";
  const poll = [
    option("interval", interval),
    option("timeout", timeout),
    option("fall", Math.min(retry + 1, 100)),
    option("retry_interval", retryInterval),
  ];
  if (checker.keyword === "MISC_CHECK") {
    const path = own.find((x) => x.keyword === "misc_path");
    const words = path === undefined ? null : splitQuoted(path.text, false);
    const command = words?.ok ? words.words[1] : undefined;
    if (command === undefined) return "a MISC_CHECK without misc_path";
    const misc = secondsText(setting([own], "misc_timeout"), interval) ?? interval;
    const dynamic = own.some((x) => x.keyword === "misc_dynamic");
    return [option("type", "script"), option("script", command), option("interval", interval), option("timeout", misc), ...(dynamic ? [option("dynamic_weight", "1")] : [])];
  }
  const host = setting([own], "connect_ip") ?? rs.args[0] ?? "";
  if (!parseIp(host).ok) return `'${host}' is not an address floatgw can probe`;
  const where = [option("host", host), ...optional(own, "bindto", "source"), ...optional(own, "bind_if", "device")];
  if (checker.keyword === "PING_CHECK") return [option("type", "ping"), ...where, ...poll];
  const port = setting([own], "connect_port") ?? (checker.keyword === "SMTP_CHECK" ? "25" : (rs.args[1] ?? ""));
  if (!/^[0-9]{1,5}$/.test(port)) return `port '${port}' is not a number`;
  if (checker.keyword === "TCP_CHECK") return [option("type", "tcp"), ...where, option("port", port), ...poll];
  if (checker.keyword === "SMTP_CHECK") return [option("type", "smtp"), ...where, option("port", port), ...optional(own, "helo_name", "helo_name"), ...poll];
  const urls = own.filter((x) => x.keyword === "url");
  if (urls.length !== 1) return `${urls.length} url blocks: floatgw's http tracker checks one path`;
  const url = urls[0]?.block ?? [];
  const path = setting([url], "path") ?? "/";
  const codes = url.filter((x) => x.keyword === "status_code").flatMap((x) => x.args);
  return [
    option("type", "http"),
    ...where,
    option("port", port),
    option("path", path),
    ...optional(url, "digest", "digest"),
    ...(codes.length > 0 ? [{ name: "status_code", values: codes, list: true }] : []),
    ...optional([...own, ...(vs.block ?? [])], "virtualhost", "virtualhost"),
    ...poll,
  ];
}

function optional(block: readonly ConfNode[], keyword: string, name: string): UciDraftOption[] {
  const v = setting([block], keyword);
  return v === null ? [] : [option(name, v)];
}

export function convertVirtualServer(vs: ConfNode, c: VirtualServerContext, scope: Scope): void {
  const address = vs.args[0] ?? "";
  const vip = c.vipOf(address);
  const realServers = (vs.block ?? []).filter((x) => x.keyword === "real_server");
  report(scope, vs, "unsupported", { note: IPVS_NOTE });
  const within = inner(scope, vs);
  for (const child of vs.block ?? []) {
    if (child.keyword !== "real_server") {
      reportAll(within, child, "unsupported", {});
      continue;
    }
    report(within, child, "unsupported", {});
    const rs = inner(within, child);
    for (const k of child.block ?? []) {
      if (!CHECKERS.includes(k.keyword)) reportAll(rs, k, "unsupported", {});
      else checker(k, child, vs, { vip, single: realServers.length === 1, address }, c, rs);
    }
  }
}

function checker(k: ConfNode, rs: ConfNode, vs: ConfNode, on: { vip: string | null; single: boolean; address: string }, c: VirtualServerContext, scope: Scope): void {
  const why =
    on.vip === null
      ? `${on.address} is no address of a converted instance, so this check guards nothing floatgw moves`
      : !on.single
        ? `the virtual server has several real servers: a tracker would move the VIP when one of them fails although the others serve it`
        : !CONVERTIBLE.includes(k.keyword)
          ? `floatgw has no tracker for ${k.keyword}`
          : null;
  const options = why === null ? checkerOptions(k, rs, vs) : why;
  if (typeof options === "string" || on.vip === null) {
    reportAll(scope, k, "unsupported", { note: typeof options === "string" ? options : why });
    return;
  }
  const name = c.registry.add(`check_${on.address}_${rs.args[1] ?? ""}`, `${k.keyword} of real_server ${rs.args.join(" ")} (${k.at.file}:${k.at.line})`, options);
  c.addTrack(on.vip, name);
  reportAll(scope, k, "different", {
    target: `tracker '${name}' (type ${options[0]?.values[0] ?? ""}), tracked by vip '${on.vip}'`,
    note: `this check guards ${on.address}, an address of vip '${on.vip}': the VIP now moves to the other router when it fails (keepalived only took the real server out of the IPVS pool)`,
  });
}
