// The one description of /etc/config/floatgw: every section type and option
// with its type, default, range and help. validate.ts reads options through
// it, docs.ts renders docs/configuration.md from it, and the LuCI form is
// checked against it. Defaults are written as UCI text, as a user would.

/** How an option's text is read; ranges are inclusive. */
export type ValueType =
  | { readonly kind: "bool" }
  | { readonly kind: "integer"; readonly min: number; readonly max: number }
  /** Decimal seconds, kept as an integer count of 1/scale s (100: centiseconds, 1000: ms). */
  | { readonly kind: "seconds"; readonly scale: 100 | 1000; readonly min: number; readonly max: number }
  | { readonly kind: "choice"; readonly choices: readonly string[] }
  | {
      readonly kind: "text";
      readonly minLength: number;
      readonly maxLength: number;
      readonly pattern: RegExp;
      /** What `pattern` allows, for messages: "letters, digits and _". */
      readonly patternHelp: string;
    }
  /** An IPv4 or IPv6 address with an optional /prefix. */
  | { readonly kind: "cidr" }
  /** A network: an IPv4 or IPv6 address with an optional /prefix (0 allowed), no host bits set. */
  | { readonly kind: "prefix" }
  /** An IPv4 or IPv6 address, no prefix; a loopback address only where `loopback` says so. */
  | { readonly kind: "ip"; readonly loopback?: boolean }
  /** A boolean, or an absolute path to run instead of the default program. */
  | { readonly kind: "boolOrPath" }
  /** A tracker section's name, optionally with keepalived's `weight N [reverse|noreverse]`. */
  | { readonly kind: "trackRef" }
  /** An HTTP status code or an inclusive range of them: `200`, `200-299`. */
  | { readonly kind: "statusCodes" };

export interface OptionSpec {
  readonly name: string;
  readonly type: ValueType;
  /** Written with `list`; an `option` with space-separated items is accepted too. */
  readonly list: boolean;
  /** In UCI text; null when the option has no default (see `required`). */
  readonly default: string | null;
  readonly required: boolean;
  /** Overrides the range the docs derive from `type` (when it depends on another option). */
  readonly rangeNote?: string;
  /** Its value is never echoed in messages. */
  readonly secret?: boolean;
  /** Used only by sections whose `type` option is one of these (tracker kinds). */
  readonly forTypes?: readonly string[];
  /** What applies when the option is absent, where that depends on other options. */
  readonly defaultNote?: string;
  readonly help: string;
}

export interface SectionSpec {
  readonly type: string;
  /** The name the section conventionally has (`config floatgw 'global'`). */
  readonly conventionalName: string | null;
  /** More than one section of this type is allowed. */
  readonly multiple: boolean;
  readonly help: string;
  readonly options: readonly OptionSpec[];
}

const BOOL: ValueType = { kind: "bool" };
const IFNAME: ValueType = {
  kind: "text",
  minLength: 1,
  maxLength: 15, // IFNAMSIZ - 1
  pattern: /^[A-Za-z0-9_.@-]+$/,
  patternHelp: "letters, digits and _ . @ -",
};
const UCI_NAME: ValueType = {
  kind: "text",
  minLength: 1,
  maxLength: 64,
  pattern: /^[A-Za-z0-9_]+$/,
  patternHelp: "letters, digits and _",
};

/** A command line, split into words as keepalived reads its scripts (src/track/command.ts). */
const COMMAND: ValueType = { kind: "text", minLength: 1, maxLength: 1024, pattern: /^[^\n]+$/, patternHelp: "one line" };
const USER: ValueType = {
  kind: "text",
  minLength: 1,
  maxLength: 65,
  pattern: /^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)?$/,
  patternHelp: "user or user:group",
};
const HOST_NAME: ValueType = { kind: "text", minLength: 1, maxLength: 255, pattern: /^[A-Za-z0-9.:\[\]_-]+$/, patternHelp: "a host name" };
/** A mail address as SMTP's MAIL FROM and RCPT TO carry it: no display name, no spaces or angle brackets. */
const MAIL_ADDRESS: ValueType = {
  kind: "text",
  minLength: 3,
  maxLength: 254,
  pattern: /^[^\s<>@"]+@[A-Za-z0-9.\[\]:_-]+$/,
  patternHelp: "an address like admin@example.org",
};

interface OptionDraft {
  type: ValueType;
  default?: string;
  required?: boolean;
  list?: boolean;
  rangeNote?: string;
  secret?: boolean;
  forTypes?: readonly string[];
  defaultNote?: string;
  help: string;
}

/** Set field by field rather than spread from conditional literals: every
 * start of the binary builds the whole schema, and QuickJS's spread of
 * a temporary object is dear (docs/performance.md). */
function option(name: string, d: OptionDraft): OptionSpec {
  const o: { -readonly [K in keyof OptionSpec]: OptionSpec[K] } = {
    name,
    type: d.type,
    list: d.list ?? false,
    default: d.default ?? null,
    required: d.required ?? false,
    help: d.help,
  };
  if (d.rangeNote !== undefined) o.rangeNote = d.rangeNote;
  if (d.secret) o.secret = true;
  if (d.forTypes !== undefined) o.forTypes = d.forTypes;
  if (d.defaultNote !== undefined) o.defaultNote = d.defaultNote;
  return o;
}

export const GLOBAL_SECTION: SectionSpec = {
  type: "floatgw",
  conventionalName: "global",
  multiple: false,
  help: "Daemon-wide settings. One section, `config floatgw 'global'`; without it the defaults apply.",
  options: [
    option("enabled", {
      type: BOOL,
      default: "0",
      help: "Run the daemon. Shipped off, so installing the package changes nothing until you enable it.",
    }),
    option("log_level", {
      type: { kind: "choice", choices: ["error", "warn", "info", "debug"] },
      default: "info",
      help: "Least severe syslog messages to write.",
    }),
    option("secret", {
      type: {
        kind: "text",
        minLength: 16,
        maxLength: 256,
        pattern: /^[\x21-\x7e]+$/,
        patternHelp: "printable ASCII without spaces",
      },
      secret: true,
      help: "Shared key (the same on both routers) that authenticates the DHCP lease channel with HMAC-SHA-256. Empty: no lease replication.",
    }),
    option("dhcp_leasefile", {
      type: { kind: "text", minLength: 2, maxLength: 255, pattern: /^\/[\x21-\x7e]*$/, patternHelp: "an absolute path without spaces" },
      default: "/tmp/dhcp.leases",
      help: "dnsmasq's lease file (the same as `dhcp.@dnsmasq[0].leasefile`): an instance with `dhcp '1'` writes the leases replicated from the peer into it when it becomes master, before dnsmasq is restarted with DHCP on.",
    }),
    option("hotplug", {
      type: { kind: "boolOrPath" },
      default: "1",
      help: "On every state change run `/sbin/hotplug-call floatgw` with ACTION=master|backup|fault, so scripts in /etc/hotplug.d/floatgw/ run; `0` turns this off; an absolute path runs that program instead, with the same argument and environment.",
    }),
    option("notify_timeout", {
      type: { kind: "seconds", scale: 1000, min: 100, max: 3_600_000 },
      default: "10",
      help: "A hook or notify script still running after this long is killed, so the next one can run. They run one at a time, in the order of the transitions.",
    }),
    option("script_user", {
      type: USER,
      defaultNote: "root",
      help: "Run notify scripts, and tracker scripts without a `user`, as this user (and group; default the user's), from /etc/passwd and /etc/group (keepalived `script_user`).",
    }),
    option("router_id", {
      type: HOST_NAME,
      defaultNote: "the host name",
      help: "How mail alerts name this router (keepalived `router_id`).",
    }),
    option("notification_email", {
      type: MAIL_ADDRESS,
      list: true,
      help: "Recipients of the mail alerts of the vips and sync groups with `smtp_alert` (keepalived `notification_email`).",
    }),
    option("notification_email_from", {
      type: MAIL_ADDRESS,
      defaultNote: "`floatgw@` and `router_id`",
      help: "Sender of the mail alerts (keepalived `notification_email_from`).",
    }),
    option("smtp_server", {
      type: { kind: "ip", loopback: true },
      help: "The mail server that takes the alerts, by address: no DNS lookup may hold a transition up (keepalived `smtp_server`). Without it no mail is sent.",
    }),
    option("smtp_port", {
      type: { kind: "integer", min: 1, max: 65535 },
      default: "25",
      help: "The mail server's port.",
    }),
    option("smtp_helo_name", {
      type: HOST_NAME,
      defaultNote: "`router_id`",
      help: "The name floatgw greets the mail server with (keepalived `smtp_helo_name`).",
    }),
    option("smtp_connect_timeout", {
      type: { kind: "seconds", scale: 1000, min: 100, max: 3_600_000 },
      default: "30",
      help: "How long one mail may take, from connecting to the server's last answer (keepalived `smtp_connect_timeout`). Mails never delay a transition or a hook: they go out one at a time, beside them.",
    }),
  ],
};

/** A vip's or a sync group's notify scripts and mail alert. */
function notifyOptions(what: "vip" | "group"): OptionSpec[] {
  const subject = what === "vip" ? "this instance" : "the group";
  const args = what === "vip" ? "`INSTANCE <name> <state> <priority>`" : "`GROUP <name> <state> 0`";
  return [
    option("notify_master", { type: COMMAND, help: `A command run when ${subject} becomes master, as written, without a shell (split into words as tracker scripts are; keepalived \`notify_master\`).` }),
    option("notify_backup", { type: COMMAND, help: `A command run when ${subject} becomes backup (keepalived \`notify_backup\`).` }),
    option("notify_fault", { type: COMMAND, help: `A command run when ${subject} enters FAULT (keepalived \`notify_fault\`).` }),
    option("notify_stop", {
      type: COMMAND,
      help: `A command run when ${subject} stops: floatgw stops${what === "vip" ? ", or a reload removes or restarts it" : ""} (keepalived \`notify_stop\`).`,
    }),
    option("notify", {
      type: COMMAND,
      help: `A command run on every transition of ${subject}, after the state's own, with four more arguments: ${args}, the state being MASTER, BACKUP, FAULT or STOP (keepalived \`notify\`).`,
    }),
    option("smtp_alert", {
      type: BOOL,
      default: "0",
      help: `Mail every transition of ${subject} to \`notification_email\` through \`smtp_server\` (keepalived \`smtp_alert\`; its global one is this option on each vip and group).`,
    }),
  ];
}

export const VIP_SECTION: SectionSpec = {
  type: "vip",
  conventionalName: null,
  multiple: true,
  help: "One VRRP instance: a virtual router on one link sharing one or more addresses of one family. Name it after its interface (`config vip 'lan'`); add a section per link, and one per family on a link that carries both.",
  options: [
    option("enabled", { type: BOOL, default: "1", help: "Run this instance; `0` keeps the section but ignores it." }),
    option("interface", {
      type: UCI_NAME,
      help: "netifd interface (`lan`) whose device carries VRRP. It is followed across restarts of the network. Needed unless `device` is set.",
    }),
    option("device", {
      type: IFNAME,
      help: "Linux device (`br-lan`) to use when `interface` is unset or cannot be resolved.",
    }),
    option("vrid", {
      type: { kind: "integer", min: 1, max: 255 },
      required: true,
      help: "Virtual router id; the same on both routers and unique per link and address family (keepalived `virtual_router_id`).",
    }),
    option("version", {
      type: { kind: "choice", choices: ["2", "3"] },
      default: "3",
      help: "VRRP version: 3 (RFC 5798; IPv4 and IPv6, centisecond intervals) or 2 (RFC 3768; IPv4 only, whole seconds, optional `auth_pass`). Both routers must agree.",
    }),
    option("priority", {
      type: { kind: "integer", min: 1, max: 255 },
      default: "100",
      help: "Higher wins the election; 255 is reserved for the router that owns the addresses on its own interface.",
    }),
    option("advert_int", {
      // The range depends on the version; validate.ts checks it.
      type: { kind: "seconds", scale: 100, min: 0, max: Number.MAX_SAFE_INTEGER },
      default: "1",
      rangeNote: "v3: 0.01-40.95; v2: 1-255, whole",
      help: "Seconds between advertisements. The backup takes over after about three missed ones.",
    }),
    option("address", {
      type: { kind: "cidr" },
      list: true,
      required: true,
      help: "Virtual address, optionally with a prefix length (default /32 or /128). All addresses of a section share one family.",
    }),
    option("preempt", {
      type: BOOL,
      default: "1",
      help: "Take over from a master with a lower priority. `0` leaves a working master alone (keepalived `nopreempt`).",
    }),
    option("preempt_delay", {
      type: { kind: "seconds", scale: 1000, min: 0, max: 1_000_000 },
      default: "0",
      help: "After start-up, wait this long before preempting, e.g. until routes are up.",
    }),
    option("start_delay", {
      type: { kind: "seconds", scale: 1000, min: 0, max: 3_600_000 },
      default: "0",
      help: "Stay out of the election this long after start-up (keepalived `vrrp_startup_delay`).",
    }),
    option("unicast_peer", {
      type: { kind: "ip" },
      list: true,
      help: "Send advertisements to this peer instead of the VRRP multicast group (for switches that filter multicast). Empty: multicast.",
    }),
    option("unicast_src", {
      type: { kind: "ip" },
      help: "Source address of unicast advertisements; default: the device's primary address of the family.",
    }),
    option("garp_count", {
      type: { kind: "integer", min: 0, max: 100 },
      default: "5",
      help: "Gratuitous ARPs (IPv4) or unsolicited neighbour advertisements (IPv6) per address on becoming master.",
    }),
    option("garp_spacing", {
      type: { kind: "integer", min: 0, max: 1000 },
      default: "0",
      rangeNote: "0-1000 ms",
      help: "Milliseconds between the packets of one burst.",
    }),
    option("garp_repeat_delay", {
      type: { kind: "seconds", scale: 1000, min: 0, max: 3_600_000 },
      default: "5",
      help: "Send a second burst this long after becoming master; 0: no second burst.",
    }),
    option("garp_refresh", {
      type: { kind: "seconds", scale: 1000, min: 0, max: 86_400_000 },
      default: "0",
      help: "While master, repeat the announcement this often; 0: off.",
    }),
    option("garp_refresh_count", {
      type: { kind: "integer", min: 1, max: 100 },
      default: "1",
      help: "Packets per address in each refresh.",
    }),
    option("auth_pass", {
      type: {
        kind: "text",
        minLength: 1,
        maxLength: 8,
        pattern: /^[\x20-\x7e]+$/,
        patternHelp: "printable ASCII",
      },
      secret: true,
      help: "VRRPv2 only: keepalived's simple password authentication (`auth_type PASS`), for interop with peers that use it. Sent in clear text; it guards against accidents, not attackers.",
    }),
    option("v3_checksum_pseudo_header", {
      type: BOOL,
      default: "1",
      help: "VRRPv3 over IPv4: include the IPv4 pseudo-header in the checksum as RFC 5798 §5.2.8 says. Set 0 only for peers that leave it out (FRR `no checksum-with-ipv4-pseudoheader`, FRR issue #9951).",
    }),
    option("dhcp", {
      type: BOOL,
      default: "0",
      help: "Make dnsmasq follow this instance: the addresses become the DHCP router and DNS server, and only the master serves DHCP.",
    }),
    option("track", {
      type: { kind: "trackRef" },
      list: true,
      help: "A tracker section whose state moves this instance: its weight is added to `priority`, or, for a tracker of weight 0, it puts the instance in FAULT while it fails. `'wan weight -50'` overrides the tracker's weight for this instance and `reverse`/`noreverse` its direction, as keepalived's `track_script` lines do.",
    }),
    ...notifyOptions("vip"),
  ],
};

/** Every kind of tracker; see docs/tracking.md. */
export const TRACKER_TYPES = ["link", "interface", "script", "ping", "tcp", "http", "smtp", "file"] as const;
export type TrackerType = (typeof TRACKER_TYPES)[number];
/** The kinds that run a probe every `interval`; link and interface follow events instead. */
export const POLLED_TRACKERS: readonly TrackerType[] = ["script", "ping", "tcp", "http", "smtp", "file"];
/** The kinds that count results towards `rise` and `fall` (a file's value needs none). */
const COUNTED: readonly TrackerType[] = ["script", "ping", "tcp", "http", "smtp"];
const NETWORK: readonly TrackerType[] = ["ping", "tcp", "http", "smtp"];
const CONNECTED: readonly TrackerType[] = ["tcp", "http", "smtp"];
const ABSOLUTE_PATH: ValueType = {
  kind: "text",
  minLength: 2,
  maxLength: 255,
  pattern: /^\/[\x21-\x7e]*$/,
  patternHelp: "an absolute path without spaces",
};
/** keepalived: the weight of a script, interface or process lies in -253..253, of a file in -254..254. */
const WEIGHT: ValueType = { kind: "integer", min: -254, max: 254 };

export const TRACKER_SECTION: SectionSpec = {
  type: "tracker",
  conventionalName: null,
  multiple: true,
  help: "Something whose health moves the instances that list it with `track`: a link, a netifd interface, a check script, a ping, a TCP, HTTP or SMTP server, or a number in a file. Name it (`config tracker 'nginx'`) and list that name in each vip it concerns; one tracker may serve several vips and runs once for all of them. See [tracking.md](tracking.md).",
  options: [
    option("type", {
      type: { kind: "choice", choices: TRACKER_TYPES },
      required: true,
      help: "`link`: carrier of a Linux device; `interface`: a netifd interface up or down; `script`: a command's exit status (0 = up); `ping`: ICMP echo; `tcp`: a TCP connect; `http`: an HTTP GET's status code (and body digest); `smtp`: an SMTP banner and HELO; `file`: a number in a file (keepalived `track_file`).",
    }),
    option("weight", {
      type: WEIGHT,
      defaultNote: "`0` (`1` for `file`)",
      help: "0: the instances go to FAULT while this tracker fails. Positive: added to their priority while it is up; negative: added while it is down (keepalived semantics). For `file`, the number read times the weight is added, and a product of -254 or less means FAULT; with weight 0 any number but 0 means FAULT. The effective priority stays within 1-254; an owner at 255 is not changed.",
    }),
    option("reverse", {
      type: BOOL,
      default: "0",
      help: "Turn the direction round: the weight applies in the opposite state (keepalived `weight N reverse`); with weight 0, FAULT while the tracker is up.",
    }),
    option("device", {
      type: IFNAME,
      forTypes: ["link", ...NETWORK],
      help: "`link`: the Linux device whose carrier is tracked (required). Probes: send through this device (`SO_BINDTODEVICE`, keepalived `bind_if`).",
    }),
    option("interface", {
      type: UCI_NAME,
      forTypes: ["interface"],
      help: "The netifd interface (`wan`) that is up or down as netifd reports it (`ifstatus`, and its hotplug events). Required for `interface`.",
    }),
    option("script", {
      type: COMMAND,
      forTypes: ["script"],
      help: "The command to run (required): a program and its arguments, split at spaces with `'...'` and `\"...\"` quoting as keepalived does, and run without a shell. Exit status 0 is up, anything else down, and running past `timeout` is down (the command and what it started are killed).",
    }),
    option("shell", {
      type: BOOL,
      default: "0",
      forTypes: ["script"],
      help: "Run `script` with `/bin/sh -c`, for pipes, `&&` and the like.",
    }),
    option("user", {
      type: USER,
      forTypes: ["script"],
      defaultNote: "global `script_user`",
      help: "Run the script as this user (and group; default the user's), from /etc/passwd and /etc/group (keepalived `user`).",
    }),
    option("dynamic_weight", {
      type: BOOL,
      default: "0",
      forTypes: ["script"],
      help: "keepalived's `misc_dynamic`: exit status 0 is up, 1 is down, and 2-255 is up with a weight of the status minus 2, in place of `weight` while it lasts.",
    }),
    option("host", {
      type: { kind: "ip", loopback: true },
      forTypes: NETWORK,
      help: "The address to probe (required for ping, tcp, http, smtp; keepalived `connect_ip`); a loopback address checks a service on this router. No DNS names: a tracker must not depend on a resolver.",
    }),
    option("port", {
      type: { kind: "integer", min: 1, max: 65535 },
      forTypes: CONNECTED,
      defaultNote: "`80` for http, `25` for smtp; required for tcp",
      help: "TCP port to connect to (keepalived `connect_port`).",
    }),
    option("source", {
      type: { kind: "ip" },
      forTypes: NETWORK,
      help: "Source address of the probes (keepalived `bindto`); default: the kernel's choice.",
    }),
    option("path", {
      type: { kind: "text", minLength: 1, maxLength: 1024, pattern: /^\/[\x21-\x7e]*$/, patternHelp: "a path starting with / without spaces" },
      default: "/",
      forTypes: ["http"],
      help: "The path to GET (keepalived `url { path }`).",
    }),
    option("status_code", {
      type: { kind: "statusCodes" },
      list: true,
      default: "200-299",
      forTypes: ["http"],
      help: "Status codes that mean up: codes or ranges such as `200`, `200-299` (keepalived `status_code`).",
    }),
    option("digest", {
      type: { kind: "text", minLength: 32, maxLength: 32, pattern: /^[0-9A-Fa-f]{32}$/, patternHelp: "32 hexadecimal digits" },
      forTypes: ["http"],
      help: "MD5 of the response body, in hex, as keepalived's `digest` and `genhash` compute it (`curl -s URL | md5sum`); a different body means down.",
    }),
    option("virtualhost", {
      type: { kind: "text", minLength: 1, maxLength: 255, pattern: /^[A-Za-z0-9.:\[\]-]+$/, patternHelp: "a host name" },
      forTypes: ["http"],
      defaultNote: "`host` and port",
      help: "The `Host:` header to send (keepalived `virtualhost`).",
    }),
    option("helo_name", {
      type: HOST_NAME,
      forTypes: ["smtp"],
      defaultNote: "this router's host name",
      help: "The name to greet the server with (keepalived `helo_name`).",
    }),
    option("file", {
      type: ABSOLUTE_PATH,
      forTypes: ["file"],
      help: "The file holding a whole number (required). A missing, empty or unreadable file counts as 0, as in keepalived.",
    }),
    option("init_value", {
      type: { kind: "integer", min: -2147483648, max: 2147483647 },
      forTypes: ["file"],
      help: "Write this number into `file` at start if it does not exist (keepalived `init_file VALUE`).",
    }),
    option("init_overwrite", {
      type: BOOL,
      default: "0",
      forTypes: ["file"],
      help: "With `init_value`: write it at start even over an existing file (keepalived `init_file VALUE overwrite`).",
    }),
    option("interval", {
      type: { kind: "seconds", scale: 1000, min: 10, max: 86_400_000 },
      default: "1",
      forTypes: POLLED_TRACKERS,
      help: "Seconds between probes, from the start of one to the start of the next (keepalived `interval`, `delay_loop`). Never more than one probe of a tracker runs at a time.",
    }),
    option("timeout", {
      type: { kind: "seconds", scale: 1000, min: 10, max: 86_400_000 },
      forTypes: COUNTED,
      defaultNote: "`interval`",
      help: "A probe that has not answered after this long fails and is stopped (keepalived `timeout`, `connect_timeout`).",
    }),
    option("retry_interval", {
      type: { kind: "seconds", scale: 1000, min: 10, max: 86_400_000 },
      forTypes: COUNTED,
      defaultNote: "`interval`",
      help: "While failures of an up tracker are counting towards `fall`, probe this often instead (keepalived `delay_before_retry`).",
    }),
    option("rise", {
      type: { kind: "integer", min: 1, max: 100 },
      default: "1",
      forTypes: COUNTED,
      help: "Successes in a row that bring a down tracker up.",
    }),
    option("fall", {
      type: { kind: "integer", min: 1, max: 100 },
      default: "1",
      forTypes: COUNTED,
      help: "Failures in a row that bring an up tracker down (keepalived checkers: `retry` + 1).",
    }),
    option("init_fail", {
      type: BOOL,
      default: "0",
      forTypes: COUNTED,
      help: "Start down, so that `rise` successes are needed first. Otherwise the first result decides, and an instance with a tracker of weight 0 waits for it before its first election.",
    }),
  ],
};

export const SYNC_GROUP_SECTION: SectionSpec = {
  type: "sync_group",
  conventionalName: null,
  multiple: true,
  help: "Instances that change state together (keepalived `vrrp_sync_group`): on a router, the LAN and the WAN side. When one member becomes master, the others do too; when one leaves master, they all do; while one is in FAULT, they all are. See [tracking.md](tracking.md#sync-groups).",
  options: [
    option("vip", {
      type: UCI_NAME,
      list: true,
      required: true,
      help: "A member: the name of a vip section. A vip belongs to at most one group.",
    }),
    option("track", {
      type: { kind: "trackRef" },
      list: true,
      help: "A tracker that moves every member, as if each listed it in its own `track` (keepalived's `track_script` and the like in a sync group); its weight applies to all of them alike.",
    }),
    option("tracking_weight", {
      type: BOOL,
      default: "0",
      help: "Let the members' own weighted trackers change their priorities (keepalived `sync_group_tracking_weight`). Without it they are ignored, with a warning, as keepalived does: members whose priorities move apart make the group flap. Put such trackers on the group instead.",
    }),
    ...notifyOptions("group"),
  ],
};

/** Whose mastership a route or a rule follows: exactly one of the two. */
function ownerOptions(what: string): OptionSpec[] {
  return [
    option("vip", { type: UCI_NAME, help: `The vip section whose mastership the ${what} follows. Either this or \`sync_group\`.` }),
    option("sync_group", { type: UCI_NAME, help: `The sync group whose mastership the ${what} follows. Either this or \`vip\`.` }),
  ];
}

/** A routing table: a number, or one of the names iproute2 knows. */
const TABLE: ValueType = {
  kind: "text",
  minLength: 1,
  maxLength: 10,
  pattern: /^(?:[1-9][0-9]{0,9}|main|local|default)$/,
  patternHelp: "a number 1-4294967295, or main, local, default",
};
export const ROUTE_TYPES = ["unicast", "blackhole", "unreachable", "prohibit", "throw"] as const;
export const RULE_ACTIONS = ["lookup", "blackhole", "unreachable", "prohibit"] as const;

export const ROUTE_SECTION: SectionSpec = {
  type: "route",
  conventionalName: null,
  multiple: true,
  help: "A route that exists only while a vip (or a sync group) is master here (keepalived `virtual_routes`): added after the addresses on becoming master, removed before them on leaving master, and when floatgw stops. floatgw marks its routes with protocol 112 (`ip route` shows `proto 112`) and removes any it left behind at the next start. Names follow OpenWrt's `config route` of /etc/config/network.",
  options: [
    ...ownerOptions("route"),
    option("target", {
      type: { kind: "prefix" },
      required: true,
      help: "The destination network, `address/prefix` (`0.0.0.0/0`, `::/0` for a default route).",
    }),
    option("type", {
      type: { kind: "choice", choices: ROUTE_TYPES },
      default: "unicast",
      help: "`unicast`: forward (through `gateway` or out of the device); `blackhole`: drop silently; `unreachable`, `prohibit`: drop with an ICMP error; `throw`: go on with the next policy rule.",
    }),
    option("gateway", { type: { kind: "ip" }, help: "The next hop (keepalived `via`); of the target's family." }),
    option("interface", {
      type: UCI_NAME,
      help: "The netifd interface whose device the route goes out of; resolved as for a vip.",
    }),
    option("device", {
      type: IFNAME,
      help: "The Linux device the route goes out of, when `interface` is unset or cannot be resolved (keepalived `dev`).",
    }),
    option("table", {
      type: TABLE,
      default: "main",
      help: "The routing table (keepalived `table`).",
    }),
    option("metric", {
      type: { kind: "integer", min: 0, max: 4294967295 },
      defaultNote: "the kernel's (0 for IPv4, 1024 for IPv6)",
      help: "The route's metric (keepalived `metric`).",
    }),
    option("source", {
      type: { kind: "ip" },
      help: "The preferred source address of packets sent along this route; it must be an address of this router, a VIP for instance (keepalived `src`).",
    }),
    option("scope", {
      type: { kind: "choice", choices: ["global", "site", "link", "host"] },
      defaultNote: "`link` for a unicast route without gateway, else `global`",
      help: "The route's scope (keepalived `scope`).",
    }),
    option("onlink", {
      type: BOOL,
      default: "0",
      help: "Take the gateway as directly reachable on the device even outside its subnets (keepalived `onlink`).",
    }),
  ],
};

export const RULE_SECTION: SectionSpec = {
  type: "rule",
  conventionalName: null,
  multiple: true,
  help: "A policy routing rule that exists only while a vip (or a sync group) is master here (keepalived `virtual_rules`), added after the routes and removed before them. Marked with protocol 112, like the routes. Names follow OpenWrt's `config rule` of /etc/config/network; the family is the one of `src` or `dest`, else the vip's.",
  options: [
    ...ownerOptions("rule"),
    option("src", { type: { kind: "prefix" }, help: "Match packets from this network (keepalived `from`)." }),
    option("dest", { type: { kind: "prefix" }, help: "Match packets to this network (keepalived `to`)." }),
    option("in", { type: IFNAME, help: "Match packets arriving on this netifd interface (its device), or Linux device (keepalived `iif`)." }),
    option("out", { type: IFNAME, help: "Match packets leaving by this netifd interface (its device), or Linux device (keepalived `oif`)." }),
    option("mark", {
      type: { kind: "text", minLength: 1, maxLength: 21, pattern: /^(?:0x[0-9A-Fa-f]{1,8}|[0-9]{1,10})(?:\/(?:0x[0-9A-Fa-f]{1,8}|[0-9]{1,10}))?$/, patternHelp: "a number or number/mask, decimal or 0x hexadecimal" },
      help: "Match the firewall mark, `value` or `value/mask` (keepalived `fwmark`).",
    }),
    option("tos", { type: { kind: "integer", min: 0, max: 255 }, help: "Match the type of service field (keepalived `tos`)." }),
    option("lookup", { type: TABLE, help: "The routing table to look up (keepalived `table`); needed with action `lookup`." }),
    option("action", {
      type: { kind: "choice", choices: RULE_ACTIONS },
      default: "lookup",
      help: "`lookup`: use the table `lookup`; `blackhole`, `unreachable`, `prohibit`: drop, silently or with an ICMP error.",
    }),
    option("priority", {
      type: { kind: "integer", min: 0, max: 4294967295 },
      defaultNote: "the kernel's: just before the last rule added",
      help: "The rule's place: lower comes first (keepalived `preference`).",
    }),
    option("invert", { type: BOOL, default: "0", help: "Match the packets the rule would not match (keepalived `not`)." }),
  ],
};

export const SECTIONS: readonly SectionSpec[] = [GLOBAL_SECTION, VIP_SECTION, TRACKER_SECTION, SYNC_GROUP_SECTION, ROUTE_SECTION, RULE_SECTION];

/**
 * keepalived option names a migrating user may write, with what floatgw
 * wants instead, so the unknown-option warning can say so.
 */
export const KEEPALIVED_HINTS: Readonly<Record<string, string>> = {
  virtual_router_id: "use 'vrid'",
  virtual_ipaddress: "use 'address'",
  unicast_src_ip: "use 'unicast_src'",
  nopreempt: "use preempt '0'",
  vrrp_startup_delay: "use 'start_delay'",
  garp_master_repeat: "use 'garp_count'",
  garp_master_delay: "use 'garp_repeat_delay'",
  garp_master_refresh: "use 'garp_refresh'",
  garp_master_refresh_repeat: "use 'garp_refresh_count'",
  auth_type: "set 'auth_pass' alone",
  track_interface: "add a tracker section with type 'link' and name it in 'track'",
  track_script: "name the tracker section in 'track'",
  track_file: "add a tracker section with type 'file' and name it in 'track'",
  track_weight: "give the tracker section a 'weight', or write 'track' as 'NAME weight N'",
  connect_ip: "use 'host'",
  connect_port: "use 'port'",
  connect_timeout: "use 'timeout'",
  bindto: "use 'source'",
  bind_if: "use 'device'",
  delay_loop: "use 'interval'",
  delay_before_retry: "use 'retry_interval'",
  retry: "use 'fall' (retry + 1)",
  misc_path: "use 'script'",
  misc_timeout: "use 'timeout'",
  misc_dynamic: "use 'dynamic_weight'",
  url: "use 'path', 'digest' and 'status_code'",
  virtual_routes: "add a route section naming this vip",
  virtual_rules: "add a rule section naming this vip",
  notification_email_from: "set it in the floatgw section",
  smtp_server: "set it in the floatgw section",
  sync_group_tracking_weight: "use 'tracking_weight'",
  group: "list the members with 'vip'",
};

/** keepalived's UCI section types, likewise. */
export const KEEPALIVED_SECTION_HINTS: Readonly<Record<string, string>> = {
  vrrp_instance: "use 'config vip'",
  globals: "use 'config floatgw'",
  global_defs: "use 'config floatgw'",
  vrrp_script: "use 'config tracker' with type 'script'",
  track_script: "use 'config tracker' with type 'script'",
  track_interface: "use 'config tracker' with type 'link'",
  vrrp_track_file: "use 'config tracker' with type 'file'",
  track_file: "use 'config tracker' with type 'file'",
  vrrp_sync_group: "use 'config sync_group'",
  static_routes: "use 'config route' in /etc/config/network",
};

/** Each section type's options by name, built on first use: reading a
 * section looks its options up dozens of times. */
const optionIndex = new WeakMap<SectionSpec, Map<string, OptionSpec>>();

export function optionSpec(section: SectionSpec, name: string): OptionSpec | undefined {
  let index = optionIndex.get(section);
  if (index === undefined) {
    index = new Map(section.options.map((o) => [o.name, o]));
    optionIndex.set(section, index);
  }
  return index.get(name);
}
