// OpenWrt's /etc/config/keepalived (as luci-app-keepalived writes it) is
// turned into the keepalived.conf that OpenWrt's keepalived.init would
// generate from it (openwrt/packages net/keepalived, 24.10 and 25.12), line
// by line with the UCI line each came from; conf-read.ts then reads that
// text like any keepalived.conf. So both formats share one mapping, and the
// conversion describes what keepalived really ran, traps included:
//
// - Sections refer to each other by their `name` option (an instance's
//   virtual_ipaddress lists `ipaddress` sections, unicast_peer lists `peer`
//   sections, ...). An item that names no section is dropped by the init
//   script: a literal address in unicast_peer is never used. A literal
//   virtual address is taken as written (the instance had none).
// - Flags (nopreempt, accept, ...) are written whenever the option is set,
//   even to '0' (luci#7114): `option nopreempt '0'` disabled preemption.
// - vrrp_script's fall count must be `fall`; LuCI wrote `fail` (luci#7965),
//   which the init script never reads.
// - Every notify runs `/sbin/hotplug-call keepalived`, whatever the UCI says.
// - Options and sections the init script does not read never reached
//   keepalived; they are reported, not converted.

import { FALSE_SPELLINGS, parseBool } from "../config/bool";
import { sectionLabel } from "../config/problems";
import { parseUci, type UciOption, type UciSection } from "../config/uci";
import { type Entry, type Origin, entry } from "./entry";

/** What the init script reads, per section type. */
const KNOWN_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  globals: [
    "enabled", "alt_config_file", "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout",
    "router_id", "vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_startup_delay", "linkbeat_use_polling",
  ],
  ipaddress: ["name", "address", "device", "scope", "label_suffix"],
  route: ["name", "address", "gateway", "device", "src_addr", "table", "blackhole"],
  static_ipaddress: ["address"],
  static_routes: ["route"],
  interface_up_down_delays: ["device", "down_delay", "up_delay"],
  track_interface: ["name", "value", "weight"],
  track_script: ["name", "value", "weight", "direction"],
  vrrp_script: ["name", "script", "interval", "weight", "fall", "rise", "timeout"],
  peer: ["name", "address", "min_ttl", "max_ttl"],
  bfd_instance: ["name", "neighbor_ip", "source_ip", "min_rx", "min_tx", "idle_tx", "hoplimit", "max_hops", "weight"],
  vrrp_sync_group: ["name", "group", "track_script", "smtp_alert", "global_tracking"],
  vrrp_instance: [
    "name", "state", "interface", "mcast_src_ip", "unicast_src_ip", "virtual_router_id", "version", "priority", "advert_int",
    "preempt_delay", "debug", "lvs_sync_daemon_interface", "garp_master_delay", "garp_master_refresh", "garp_master_repeat",
    "garp_master_refresh_repeat", "vmac_xmit_base", "native_ipv6", "accept", "dont_track_primary", "smtp_alert", "nopreempt",
    "use_vmac", "no_accept", "auth_type", "auth_pass", "virtual_ipaddress", "virtual_ipaddress_excluded", "virtual_routes",
    "track_script", "track_interface", "track_bfd", "unicast_peer",
  ],
  virtual_server: [
    "enabled", "ipaddr", "port", "fwmark", "delay_loop", "lb_kind", "persistence_timeout", "persistence_granularity",
    "virtualhost", "protocol", "lb_algo", "sorry_server_ip", "sorry_server_port", "real_server",
  ],
  real_server: ["enabled", "name", "weight", "ipaddr", "port", "check", "connect_timeout", "connect_port", "misc_path", "nb_get_retry", "delay_before_retry", "url"],
  url: ["name", "path", "digest"],
};

/** Options keepalived-sync adds to peers: OpenWrt's file sync, not VRRP. */
const SYNC_PEER_OPTIONS = ["sync", "sync_dir", "ssh_key", "ssh_pubkey", "sync_list", "sync_mode", "ssh_port"];

const INSTANCE_FLAGS = ["vmac_xmit_base", "native_ipv6", "accept", "dont_track_primary", "smtp_alert", "nopreempt", "use_vmac", "no_accept"];
const INSTANCE_VALUES = [
  "state", "interface", "mcast_src_ip", "unicast_src_ip", "virtual_router_id", "version", "priority", "advert_int", "preempt_delay",
  "debug", "lvs_sync_daemon_interface", "garp_master_delay", "garp_master_refresh", "garp_master_repeat", "garp_master_refresh_repeat",
];
const VIA = "keepalived.init";
/** Section types that only matter when another section lists them by name. */
const REFERENCED_TYPES = ["ipaddress", "route", "peer", "track_interface", "track_script", "bfd_instance", "real_server", "url"];

export interface GeneratedConf {
  readonly text: string;
  /** The origin of each generated line (index 0 is line 1). */
  readonly origins: readonly Origin[];
  readonly entries: readonly Entry[];
  /** globals.alt_config_file: keepalived reads that file and ignores this one. */
  readonly altConfigFile: string | null;
}

class Generator {
  readonly out: string[] = [];
  readonly origins: Origin[] = [];
  readonly entries: Entry[] = [];
  /** Sections some list option names; the others were never used. */
  private readonly referenced = new Set<UciSection>();

  constructor(
    private readonly file: string,
    private readonly sections: readonly UciSection[],
  ) {}

  at(line: number, via?: string): Origin {
    return via === undefined ? { file: this.file, line } : { file: this.file, line, via };
  }

  emit(text: string, origin: Origin): void {
    this.out.push(text);
    this.origins.push(origin);
  }

  option(s: UciSection, name: string): UciOption | undefined {
    return s.options.find((o) => o.name === name);
  }

  /** config_get: an option's value, a list's items joined by spaces, "" when unset. */
  get(s: UciSection, name: string): string {
    return this.option(s, name)?.values.join(" ") ?? "";
  }

  /** How the report names a section: by its name option, else as `uci show` does. */
  label(s: UciSection): string {
    const name = this.get(s, "name");
    return name !== "" ? `${s.type} '${name}'` : sectionLabel(s);
  }

  lineOf(s: UciSection, name: string): Origin {
    return this.at(this.option(s, name)?.lines[0] ?? s.line);
  }

  ofType(type: string): UciSection[] {
    return this.sections.filter((s) => s.type === type);
  }

  named(type: string, name: string): UciSection[] {
    return this.ofType(type).filter((s) => this.get(s, "name") === name);
  }

  /** print_elems_indent: `opt value` ("quoted" when it has several words), or a bare flag. */
  elems(s: UciSection, indent: string, values: readonly string[], flags: readonly string[] = []): void {
    for (const name of [...values, ...flags]) {
      const value = this.get(s, name);
      if (value === "") continue;
      const origin = this.lineOf(s, name);
      if (flags.includes(name)) {
        if (FALSE_SPELLINGS.includes(value))
          this.entries.push(
            entry("different", origin, `${this.label(s)}: option ${name} '${value}'`, {
              pitfall: "luci#7114",
              note: `keepalived.init writes the flag ${name} whatever its value, so keepalived ran WITH ${name}; converted as keepalived ran it. Delete the option (not set it to '0') if you meant it off`,
            }),
          );
        this.emit(`${indent}${name}`, origin);
      } else this.emit(`${indent}${name} ${value.trim().split(/\s+/).length > 1 ? `"${value}"` : value}`, origin);
    }
  }

  block(open: string, origin: Origin, body: () => void): void {
    const start = this.out.length;
    this.emit(`${open} {`, origin);
    const before = this.out.length;
    body();
    if (this.out.length === before) {
      this.out.length = start;
      this.origins.length = start;
      return;
    }
    this.emit(`${open.match(/^\s*/)?.[0] ?? ""}}`, origin);
  }

  /** Items of a list option that name sections of `type`; the rest are reported as dropped. */
  references(s: UciSection, option: string, type: string, each: (target: UciSection, item: string, origin: Origin) => void, literal?: (item: string, origin: Origin) => void): void {
    const o = this.option(s, option);
    if (o === undefined) return;
    const items = o.values.flatMap((v, i) => v.split(/\s+/).filter((x) => x !== "").map((x) => ({ item: x, line: o.lines[i] ?? s.line })));
    for (const { item, line } of items) {
      const targets = this.named(type, item);
      const origin = this.at(line);
      for (const t of targets) this.referenced.add(t);
      if (targets.length > 0) for (const t of targets) each(t, item, origin);
      else if (literal !== undefined) literal(item, origin);
      else
        this.entries.push(
          entry("different", origin, `${this.label(s)}: list ${option} '${item}'`, {
            pitfall: /^[0-9a-fA-F:.]+$/.test(item) ? "UCI reference, not an address" : null,
            note: `names no ${type} section (by its name option), so keepalived.init leaves it out and keepalived never used it; not converted`,
          }),
        );
    }
  }

  ipaddress(t: UciSection, indent: string): void {
    const address = this.get(t, "address");
    if (address === "") return;
    const device = this.get(t, "device");
    const scope = this.get(t, "scope");
    const label = this.get(t, "label_suffix") || "vip";
    const at = this.lineOf(t, "address");
    if (device === "") this.emit(`${indent}${address}`, at);
    else this.emit(`${indent}${address} dev ${device} label ${device}:${label}${scope !== "" ? ` scope ${scope}` : ""}`, at);
  }

  route(t: UciSection, indent: string): void {
    const address = this.get(t, "address");
    if (address === "") return;
    const at = this.lineOf(t, "address");
    if (parseBool(this.get(t, "blackhole")) === true) return this.emit(`${indent}blackhole ${address}`, at);
    const src = this.get(t, "src_addr");
    const device = this.get(t, "device");
    if (src === "" && device === "") return;
    const gateway = this.get(t, "gateway");
    const table = this.get(t, "table");
    this.emit(
      `${indent}${src !== "" ? `src ${src} ` : ""}${address}${gateway !== "" ? ` via ${gateway}` : ""} dev ${device}${table !== "" ? ` table ${table}` : ""}`,
      at,
    );
  }

  notify(type: string, name: string, indent: string, origin: Origin, notifies: readonly string[]): void {
    for (const n of notifies)
      this.emit(`${indent}${n} "/bin/busybox env -i ACTION=${n.toUpperCase()} TYPE=${type} NAME=${name} /sbin/hotplug-call keepalived"`, { ...origin, via: VIA });
  }

  trackScripts(s: UciSection, indent: string): void {
    this.block(`${indent}track_script`, this.lineOf(s, "track_script"), () =>
      this.references(
        s,
        "track_script",
        "track_script",
        (t) => {
          const value = this.get(t, "value");
          if (value === "") return;
          const weight = this.get(t, "weight");
          const direction = this.get(t, "direction");
          const dir = direction === "reverse" || direction === "noreverse" ? ` ${direction}` : "";
          this.emit(`${indent}\t${value}${weight !== "" ? ` weight ${weight}${dir}` : ""}`, this.lineOf(t, "value"));
        },
        (item, origin) => {
          // The 2026 keepalived.init names vrrp_script sections directly.
          if (this.named("vrrp_script", item).length === 0)
            return this.entries.push(entry("different", origin, `list track_script '${item}'`, { note: "names no track_script or vrrp_script section: keepalived never used it; not converted" }));
          this.emit(`${indent}\t${item}`, origin);
        },
      ),
    );
  }

  globals(s: UciSection): void {
    const via = this.at(s.line, VIA);
    this.emit("\tscript_user root", via);
    this.emit("\tenable_script_security", via);
    this.emit("\tprocess_names", via);
    this.emit('\tstartup_script "/bin/busybox env -i ACTION=startup /sbin/hotplug-call keepalived"', via);
    this.emit("\tstartup_script_timeout 10", via);
    this.emit('\tshutdown_script "/bin/busybox env -i ACTION=shutdown /sbin/hotplug-call keepalived"', via);
    this.emit("\tshutdown_script_timeout 10", via);
    const emails = this.option(s, "notification_email");
    if (emails !== undefined)
      this.block("\tnotification_email", this.lineOf(s, "notification_email"), () => {
        emails.values.forEach((v, i) => v.split(/\s+/).filter((x) => x !== "").forEach((e) => this.emit(`\t\t${e}`, this.at(emails.lines[i] ?? s.line))));
      });
    this.elems(s, "\t", ["notification_email_from", "smtp_server", "smtp_connect_timeout", "router_id", "vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_startup_delay"]);
  }

  instance(s: UciSection, name: string): void {
    this.block(`vrrp_instance ${name}`, this.at(s.line), () => {
      const authType = this.get(s, "auth_type");
      const authPass = this.get(s, "auth_pass");
      if (authType !== "" && authPass !== "")
        this.block("\tauthentication", this.lineOf(s, "auth_type"), () => {
          this.emit(`\t\tauth_type ${authType}`, this.lineOf(s, "auth_type"));
          this.emit(`\t\tauth_pass ${authPass}`, this.lineOf(s, "auth_pass"));
        });
      else if (authType !== "" || authPass !== "")
        this.entries.push(entry("different", this.lineOf(s, authType !== "" ? "auth_type" : "auth_pass"), `vrrp_instance '${name}': ${authType !== "" ? "auth_type" : "auth_pass"}`, { note: "keepalived.init writes authentication only with both auth_type and auth_pass: keepalived ran without it; not converted" }));
      this.elems(s, "\t", INSTANCE_VALUES, INSTANCE_FLAGS);
      this.notify("INSTANCE", name, "\t", this.at(s.line), ["notify_backup", "notify_master", "notify_fault", "notify_stop"]);
      for (const opt of ["virtual_ipaddress", "virtual_ipaddress_excluded"])
        this.block(`\t${opt}`, this.lineOf(s, opt), () =>
          this.references(s, opt, "ipaddress", (t) => this.ipaddress(t, "\t\t"), (item, origin) => {
            this.entries.push(
              entry("different", origin, `vrrp_instance '${name}': list ${opt} '${item}'`, {
                pitfall: "UCI reference, not an address",
                note: "names no ipaddress section, so keepalived.init left it out and keepalived ran without it; converted as the address it spells, which is what it was meant to be",
              }),
            );
            this.emit(`\t\t${item}`, origin);
          }),
        );
      this.block("\tvirtual_routes", this.lineOf(s, "virtual_routes"), () => this.references(s, "virtual_routes", "route", (t) => this.route(t, "\t\t")));
      if (this.option(s, "track_script") !== undefined) this.trackScripts(s, "\t");
      this.block("\ttrack_interface", this.lineOf(s, "track_interface"), () =>
        this.references(s, "track_interface", "track_interface", (t) => {
          const value = this.get(t, "value");
          const weight = this.get(t, "weight");
          if (value !== "") this.emit(`\t\t${value}${weight !== "" ? ` weight ${weight}` : ""}`, this.lineOf(t, "value"));
        }),
      );
      this.block("\ttrack_bfd", this.lineOf(s, "track_bfd"), () =>
        this.references(s, "track_bfd", "bfd_instance", (t, item) => {
          const weight = this.get(t, "weight");
          this.emit(`\t\t${item}${weight !== "" ? ` weight ${weight}` : ""}`, this.at(t.line));
        }),
      );
      this.block("\tunicast_peer", this.lineOf(s, "unicast_peer"), () =>
        this.references(s, "unicast_peer", "peer", (t) => {
          const address = this.get(t, "address");
          if (address === "") return;
          const min = this.get(t, "min_ttl");
          const max = this.get(t, "max_ttl");
          this.emit(`\t\t${address}${min !== "" ? ` min_ttl ${min}` : ""}${max !== "" ? ` max_ttl ${max}` : ""}`, this.lineOf(t, "address"));
        }),
      );
    });
  }

  syncGroup(s: UciSection, name: string): void {
    const members = this.option(s, "group")?.values.flatMap((v) => v.split(/\s+/)).filter((m) => m !== "") ?? [];
    const valid = members.filter((m) => this.named("vrrp_instance", m).length > 0);
    for (const m of members)
      if (!valid.includes(m))
        this.entries.push(entry("different", this.lineOf(s, "group"), `vrrp_sync_group '${name}': group '${m}'`, { note: "names no vrrp_instance: keepalived.init leaves it out" }));
    if (valid.length === 0) {
      this.entries.push(entry("different", this.at(s.line), `vrrp_sync_group '${name}'`, { note: "has no member instance, so keepalived.init writes no sync group; not converted" }));
      return;
    }
    this.block(`vrrp_sync_group ${name}`, this.at(s.line), () => {
      this.block("\tgroup", this.lineOf(s, "group"), () => valid.forEach((m) => this.emit(`\t\t${m}`, this.lineOf(s, "group"))));
      this.elems(s, "\t", [], ["smtp_alert", "global_tracking"]);
      if (this.option(s, "track_script") !== undefined) this.trackScripts(s, "\t");
      this.notify("GROUP", name, "\t", this.at(s.line), ["notify_backup", "notify_master", "notify_fault", "notify"]);
    });
  }

  realServer(t: UciSection): void {
    if (parseBool(this.get(t, "enabled") || "1") === false) return;
    const weight = this.get(t, "weight");
    const ip = this.get(t, "ipaddr");
    const port = this.get(t, "port");
    if (weight === "" || ip === "" || port === "") return;
    this.block(`\treal_server ${ip} ${port}`, this.at(t.line), () => {
      this.emit(`\t\tweight ${weight}`, this.lineOf(t, "weight"));
      this.notify("REAL_SERVER", this.get(t, "name"), "\t\t", this.at(t.line), ["notify_up", "notify_down"]);
      const check = this.get(t, "check");
      const fields: Readonly<Record<string, readonly string[]>> = {
        PING_CHECK: [],
        TCP_CHECK: ["connect_timeout", "connect_port"],
        MISC_CHECK: ["misc_path"],
        HTTP_GET: ["connect_timeout", "connect_port", "nb_get_retry", "delay_before_retry"],
        SSL_GET: ["connect_timeout", "connect_port", "nb_get_retry", "delay_before_retry"],
      };
      const own = fields[check];
      if (own === undefined) return;
      this.emit(`\t\t${check} {`, this.lineOf(t, "check"));
      this.elems(t, "\t\t\t", own);
      if (check === "HTTP_GET" || check === "SSL_GET")
        this.references(t, "url", "url", (u) => {
          const path = this.get(u, "path");
          const digest = this.get(u, "digest");
          if (path === "" || digest === "") return;
          this.emit("\t\t\turl {", this.at(u.line));
          this.emit(`\t\t\t\tpath ${path}`, this.lineOf(u, "path"));
          this.emit(`\t\t\t\tdigest ${digest}`, this.lineOf(u, "digest"));
          this.emit("\t\t\t}", this.at(u.line));
        });
      this.emit("\t\t}", this.lineOf(t, "check"));
    });
  }

  virtualServer(s: UciSection): void {
    if (parseBool(this.get(s, "enabled") || "1") === false) return;
    const ip = this.get(s, "ipaddr");
    const port = this.get(s, "port");
    if (ip === "" || port === "") return;
    this.block(`virtual_server ${ip} ${port}`, this.at(s.line), () => {
      this.elems(s, "\t", ["fwmark", "delay_loop", "lb_kind", "persistence_timeout", "persistence_granularity", "virtualhost", "protocol"]);
      this.emit(`\tlb_algo ${this.get(s, "lb_algo") || "rr"}`, this.lineOf(s, "lb_algo"));
      const sorryIp = this.get(s, "sorry_server_ip");
      const sorryPort = this.get(s, "sorry_server_port");
      if (sorryIp !== "" && sorryPort !== "") this.emit(`\tsorry_server ${sorryIp} ${sorryPort}`, this.lineOf(s, "sorry_server_ip"));
      this.references(s, "real_server", "real_server", (t) => this.realServer(t));
    });
  }

  /** Everything in the file the init script never reads. */
  unread(): void {
    for (const s of this.sections) {
      const type = s.type === "global_defs" ? "globals" : s.type;
      const known = KNOWN_OPTIONS[type];
      const label = this.label(s);
      if (known === undefined) {
        this.entries.push(entry("different", this.at(s.line), `config ${s.type}`, { note: "keepalived.init does not read this section type, so keepalived never saw it; not converted" }));
        continue;
      }
      if (known.includes("name") && this.get(s, "name") === "")
        this.entries.push(entry("different", this.at(s.line), label, { note: "has no name option: keepalived.init skips it; not converted" }));
      else if (REFERENCED_TYPES.includes(type) && !this.referenced.has(s))
        this.entries.push(entry("different", this.at(s.line), label, { note: "no other section refers to it by name, so keepalived never used it; not converted" }));
      for (const o of s.options) {
        if (known.includes(o.name)) continue;
        const at = this.at(o.lines[0] ?? s.line);
        if (type === "vrrp_script" && o.name === "fail")
          this.entries.push(
            entry("different", at, `${label}: option fail '${o.values.join(" ")}'`, {
              pitfall: "luci#7965",
              note: "LuCI wrote the fall count as 'fail', which keepalived.init never reads: keepalived ran with fall 1. Not converted; set fall on the tracker if you meant it",
            }),
          );
        else if (type === "peer" && SYNC_PEER_OPTIONS.includes(o.name))
          this.entries.push(entry("unsupported", at, `${label}: option ${o.name}`, { note: "keepalived-sync's file copying between the routers is not part of floatgw" }));
        else
          this.entries.push(entry("different", at, `${label}: option ${o.name}`, { note: "keepalived.init does not read this option, so keepalived never saw it; not converted" }));
      }
    }
  }

  run(): void {
    const globals = this.sections.filter((s) => s.type === "globals" || s.type === "global_defs");
    for (const g of globals)
      if (g.type === "global_defs")
        this.entries.push(entry("different", this.at(g.line), "config global_defs", { note: "the old name of the globals section; the package's uci-defaults renames it, and it is read as globals" }));
    this.emit("! generated from /etc/config/keepalived as OpenWrt's keepalived.init does", this.at(0));
    const polling = globals.find((g) => this.get(g, "linkbeat_use_polling") !== "");
    if (polling !== undefined && parseBool(this.get(polling, "linkbeat_use_polling")) === true) this.emit("linkbeat_use_polling", this.lineOf(polling, "linkbeat_use_polling"));
    this.block("global_defs", this.at(globals[0]?.line ?? 0), () => globals.forEach((g) => this.globals(g)));
    this.block("static_ipaddress", this.at(this.ofType("static_ipaddress")[0]?.line ?? 0), () =>
      this.ofType("static_ipaddress").forEach((s) => this.references(s, "address", "ipaddress", (t) => this.ipaddress(t, "\t"))),
    );
    this.block("static_routes", this.at(this.ofType("static_routes")[0]?.line ?? 0), () =>
      this.ofType("static_routes").forEach((s) => this.references(s, "route", "route", (t) => this.route(t, "\t"))),
    );
    this.block("interface_up_down_delays", this.at(this.ofType("interface_up_down_delays")[0]?.line ?? 0), () =>
      this.ofType("interface_up_down_delays").forEach((s) => {
        const device = this.get(s, "device");
        const down = this.get(s, "down_delay");
        const up = this.get(s, "up_delay");
        if (device !== "" && down !== "") this.emit(`\t${device} ${down}${up !== "" ? ` ${up}` : ""}`, this.at(s.line));
      }),
    );
    for (const s of this.ofType("vrrp_script")) {
      const name = this.get(s, "name");
      if (name !== "") this.block(`vrrp_script ${name}`, this.at(s.line), () => this.elems(s, "\t", ["script", "interval", "weight", "fall", "rise", "timeout"]));
    }
    for (const s of this.ofType("bfd_instance")) {
      const name = this.get(s, "name");
      if (name !== "")
        this.block(`bfd_instance ${name}`, this.at(s.line), () => this.elems(s, "\t", ["neighbor_ip", "source_ip", "min_rx", "min_tx", "idle_tx", "hoplimit", "max_hops"]));
    }
    for (const s of this.ofType("vrrp_sync_group")) {
      const name = this.get(s, "name");
      if (name !== "") this.syncGroup(s, name);
    }
    for (const s of this.ofType("vrrp_instance")) {
      const name = this.get(s, "name");
      if (name !== "") this.instance(s, name);
    }
    for (const s of this.ofType("virtual_server")) this.virtualServer(s);
    this.unread();
  }
}

/** True when the text is a UCI file rather than a keepalived.conf: its first command is `config` or `package`. */
export function looksLikeUci(text: string): boolean {
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    return /^(config|package)[ \t]/.test(line);
  }
  return false;
}

/** keepalived.conf text as keepalived.init writes it from `text`, or the UCI syntax errors. */
export function generateFromUci(text: string, file: string): GeneratedConf {
  const parsed = parseUci(text);
  if (!parsed.ok)
    return {
      text: "",
      origins: [],
      entries: parsed.errors.map((e) => entry("error", { file, line: e.line }, "UCI syntax", { note: e.message })),
      altConfigFile: null,
    };
  const g = new Generator(file, parsed.package.sections);
  const globals = parsed.package.sections.find((s) => s.type === "globals" || s.type === "global_defs");
  const alt = globals === undefined ? "" : g.get(globals, "alt_config_file");
  if (globals !== undefined && parseBool(g.get(globals, "enabled") || "1") === false)
    g.entries.push(entry("different", g.lineOf(globals, "enabled"), "globals: option enabled '0'", { note: "keepalived is switched off in this file (OpenWrt 25.12 and later honour it); converted all the same, and floatgw is written switched off too" }));
  g.run();
  return { text: g.out.join("\n") + "\n", origins: g.origins, entries: g.entries, altConfigFile: alt === "" ? null : alt };
}
