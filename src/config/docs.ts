// Renders docs/configuration.md from the schema, so the reference can't
// drift from what the daemon accepts. `node scripts/gen-config-doc.mjs`
// writes it; test/unit/config-docs.test.ts fails when the committed copy is
// stale. The examples are checked to validate cleanly by the same test.

import { BOOL_SPELLINGS } from "./bool";
import { type OptionSpec, SECTIONS, type SectionSpec, type ValueType } from "./schema";
import { formatScaled, rangeText } from "./values";

/** Router A of the worked example: the preferred master. */
export const EXAMPLE_ROUTER_A = `config floatgw 'global'
	option enabled '1'
	option log_level 'info'

config vip 'lan'
	option interface 'lan'
	option vrid '51'
	option priority '150'
	option advert_int '1'
	list address '198.18.0.1/24'
	list unicast_peer '198.18.0.3'
	option dhcp '1'

config vip 'lan6'
	option interface 'lan'
	option vrid '51'
	option priority '150'
	list address '2001:db8:0:1::1/64'
`;

/** Router B of the worked example: the backup. Only the priority and the peer differ. */
export const EXAMPLE_ROUTER_B = `config floatgw 'global'
	option enabled '1'
	option log_level 'info'

config vip 'lan'
	option interface 'lan'
	option vrid '51'
	option priority '100'
	option advert_int '1'
	list address '198.18.0.1/24'
	list unicast_peer '198.18.0.2'
	option dhcp '1'

config vip 'lan6'
	option interface 'lan'
	option vrid '51'
	option priority '100'
	list address '2001:db8:0:1::1/64'
`;

function typeText(t: ValueType): string {
  switch (t.kind) {
    case "bool":
      return "boolean";
    case "integer":
      return "integer";
    case "seconds":
      return "seconds";
    case "choice":
      return t.choices.map((c) => `\`${c}\``).join(" or ");
    case "text":
      return "string";
    case "cidr":
      return "address[/prefix]";
    case "prefix":
      return "network/prefix";
    case "ip":
      return "address";
    case "boolOrPath":
      return "boolean or path";
    case "trackRef":
      return "tracker [weight N] [reverse]";
    case "statusCodes":
      return "code or range";
  }
}

/** The allowed values in words ("1-255", "up to 15 characters"); empty when the type says it all. */
export function optionRange(o: OptionSpec): string {
  if (o.rangeNote !== undefined) return o.rangeNote;
  const t = o.type;
  switch (t.kind) {
    case "integer":
      return rangeText(t.min, t.max);
    case "seconds":
      return `${formatScaled(t.min, t.scale)}-${formatScaled(t.max, t.scale)}, steps of ${formatScaled(1, t.scale)}`;
    case "text":
      return t.minLength > 1 ? `${t.minLength}-${t.maxLength} characters` : `up to ${t.maxLength} characters`;
    case "cidr":
      return "IPv4 /1-32 or IPv6 /1-128";
    case "prefix":
      return "IPv4 /0-32 or IPv6 /0-128";
    case "ip":
      return t.loopback === true ? "IPv4 or IPv6, loopback too" : "IPv4 or IPv6";
    case "trackRef":
      return "weight -254 to 254";
    case "statusCodes":
      return "100-599";
    case "bool":
    case "choice":
    case "boolOrPath":
      return "";
  }
}

function defaultText(o: OptionSpec): string {
  if (o.required) return "required";
  if (o.defaultNote !== undefined) return o.defaultNote;
  return o.default === null ? "none" : `\`${o.default}\``;
}

/** Markdown table cells: a bare | would split the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function sectionTable(s: SectionSpec): string[] {
  const heading = s.conventionalName !== null ? `config ${s.type} '${s.conventionalName}'` : `config ${s.type} '<name>'`;
  const lines = [`## \`${heading}\``, "", s.help, "", "| option | type | default | range | description |", "|---|---|---|---|---|"];
  for (const o of s.options) {
    const name = `${o.list ? "list" : "option"} \`${o.name}\``;
    const help = o.forTypes !== undefined ? `*${o.forTypes.join(", ")}:* ${o.help}` : o.help;
    lines.push(`| ${[name, typeText(o.type), defaultText(o), optionRange(o), help].map(cell).join(" | ")} |`);
  }
  return lines;
}

export function renderConfigReference(): string {
  const lines = [
    "# floatgw configuration reference",
    "",
    "<!-- Generated from src/config/schema.ts by `node scripts/gen-config-doc.mjs`. Do not edit by hand. -->",
    "",
    "floatgw reads `/etc/config/floatgw`, a UCI file. Change it with `uci` or LuCI and apply it with",
    "`reload_config` (or LuCI's Save & Apply); `floatgw check` validates it without touching the running daemon.",
    "",
    "Value conventions:",
    "",
    `- Booleans: ${BOOL_SPELLINGS}. \`0\` is always off; any other spelling is an error.`,
    "- Durations are decimal seconds (`0.5`, `1`, `2.25`), no units.",
    "- Unknown options and section types are reported as warnings, with the closest known name.",
    "",
  ];
  for (const s of SECTIONS) lines.push(...sectionTable(s), "");
  lines.push(
    "## Example: two routers, one gateway",
    "",
    "Router A (198.18.0.2) and router B (198.18.0.3) share the gateway 198.18.0.1 and 2001:db8:0:1::1 on",
    "their `lan` interface. A has the higher priority and is master whenever it is up. IPv4 uses unicast",
    "advertisements (each router names the other), IPv6 the VRRP multicast group. The IPv4 and IPv6",
    "instances may share VRID 51: VRIDs are counted per address family.",
    "",
    "Router A, `/etc/config/floatgw`:",
    "",
    "```",
    EXAMPLE_ROUTER_A.trimEnd(),
    "```",
    "",
    "Router B, `/etc/config/floatgw`:",
    "",
    "```",
    EXAMPLE_ROUTER_B.trimEnd(),
    "```",
    "",
  );
  return lines.join("\n");
}
