// docs/keepalived-keywords.md is rendered from the importer's keyword tables.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TOP } from "../../src/import/convert";
import { SYNC_GROUP } from "../../src/import/sync-group";
import { GLOBAL_DEFS } from "../../src/import/global";
import { AUTHENTICATION, INSTANCE } from "../../src/import/instance";
import { renderKeywordReference } from "../../src/import/keywords-doc";
import { VRRP_SCRIPT, VRRP_TRACK_FILE } from "../../src/import/trackers";

describe("docs/keepalived-keywords.md", () => {
  it("is up to date with the keyword tables", () => {
    const committed = readFileSync(new URL("../../docs/keepalived-keywords.md", import.meta.url), "utf8");
    if (committed !== renderKeywordReference())
      expect.fail("docs/keepalived-keywords.md is stale: regenerate it with `node scripts/gen-config-doc.mjs`");
  });

  it("lists every keyword the importer knows", () => {
    const doc = renderKeywordReference();
    for (const t of [TOP, GLOBAL_DEFS, INSTANCE, AUTHENTICATION, SYNC_GROUP, VRRP_SCRIPT, VRRP_TRACK_FILE] as const) for (const k of t.rules().keys()) expect(doc).toContain(`\`${k}\``);
  });
});
