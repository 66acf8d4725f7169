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
  /** An IPv4 or IPv6 address, no prefix. */
  | { readonly kind: "ip" }
  /** A boolean, or an absolute path to run instead of the default program. */
  | { readonly kind: "boolOrPath" };

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
  /** Accepted and documented, but not acted on yet. */
  readonly reserved?: boolean;
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

interface OptionDraft {
  type: ValueType;
  default?: string;
  required?: boolean;
  list?: boolean;
  rangeNote?: string;
  secret?: boolean;
  reserved?: boolean;
  help: string;
}

function option(name: string, d: OptionDraft): OptionSpec {
  return {
    name,
    type: d.type,
    list: d.list ?? false,
    default: d.default ?? null,
    required: d.required ?? false,
    ...(d.rangeNote !== undefined ? { rangeNote: d.rangeNote } : {}),
    ...(d.secret ? { secret: true } : {}),
    ...(d.reserved ? { reserved: true } : {}),
    help: d.help,
  };
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
  ],
};

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
    option("track_interface", {
      type: IFNAME,
      list: true,
      reserved: true,
      help: "Reserved for link tracking (a later release); accepted and ignored.",
    }),
    option("track_weight", {
      type: { kind: "integer", min: -254, max: 254 },
      reserved: true,
      help: "Reserved for link tracking (a later release); accepted and ignored.",
    }),
  ],
};

export const SECTIONS: readonly SectionSpec[] = [GLOBAL_SECTION, VIP_SECTION];

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
};

/** keepalived's UCI section types, likewise. */
export const KEEPALIVED_SECTION_HINTS: Readonly<Record<string, string>> = {
  vrrp_instance: "use 'config vip'",
  globals: "use 'config floatgw'",
  global_defs: "use 'config floatgw'",
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
