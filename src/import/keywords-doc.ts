// Renders docs/keepalived-keywords.md from the importer's keyword tables, so
// the reference says what the code does. `node scripts/gen-config-doc.mjs`
// writes it; test/unit/import-docs.test.ts fails when the committed copy is
// stale.

import type { Status } from "./entry";
import { TOP } from "./convert";
import { SYNC_GROUP } from "./sync-group";
import { GLOBAL_DEFS } from "./global";
import { AUTHENTICATION, INSTANCE } from "./instance";
import { VRRP_SCRIPT, VRRP_TRACK_FILE } from "./trackers";
import type { Rule, Table } from "./rules";

const STATUS: Readonly<Record<Status, string>> = {
  mapped: "converted",
  different: "converted differently",
  unsupported: "not converted",
  error: "error",
};

/** One row per summary: keywords that share one are listed together. */
function rows(t: Table<never>): string[] {
  const groups = new Map<string, { keywords: string[]; rule: Rule<never> }>();
  for (const [keyword, r] of t.rules()) {
    const key = `${r.status}\n${r.summary}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { keywords: [keyword], rule: r });
    else g.keywords.push(keyword);
  }
  const cell = (text: string): string => text.replace(/\|/g, "\\|");
  return [...groups.values()].map((g) => `| ${g.keywords.map((k) => `\`${k}\``).join(", ")} | ${STATUS[g.rule.status]} | ${cell(g.rule.summary)} |`);
}

function tableSection(title: string, t: Table<never>): string[] {
  return ["", `## ${title}`, "", "| keyword | | in floatgw |", "|---|---|---|", ...rows(t)];
}

export function renderKeywordReference(): string {
  const lines = [
    "# keepalived keywords in floatgw",
    "",
    "<!-- Generated from src/import/ by `node scripts/gen-config-doc.mjs`; do not edit. -->",
    "",
    "What `floatgw import-keepalived` ([migrating.md](migrating.md)) does with",
    "each keepalived keyword, block by block. \"Converted differently\" and",
    "\"not converted\" lines say why; the import report repeats it for every line of",
    "your file, with its file and line number. A keyword missing here is reported",
    "as unknown, never dropped in silence. In `virtual_server` blocks (IPVS, not",
    "supported) every line is reported; the health checks of a virtual server on a",
    "converted address that has a single real server (`HTTP_GET`, `TCP_CHECK`,",
    "`SMTP_CHECK`, `MISC_CHECK`, `PING_CHECK`) become trackers of that vip, with",
    "keepalived's defaults (delay_loop 60 s, connect_timeout 5 s, retry 1,",
    "delay_before_retry 1 s, HTTP status 200-299).",
    ...tableSection("Top level", TOP as Table<never>),
    ...tableSection("global_defs", GLOBAL_DEFS as Table<never>),
    ...tableSection("vrrp_instance", INSTANCE as Table<never>),
    ...tableSection("vrrp_instance: authentication", AUTHENTICATION as Table<never>),
    ...tableSection("vrrp_sync_group", SYNC_GROUP as Table<never>),
    ...tableSection("vrrp_script", VRRP_SCRIPT as Table<never>),
    ...tableSection("vrrp_track_file", VRRP_TRACK_FILE as Table<never>),
  ];
  return lines.join("\n") + "\n";
}
