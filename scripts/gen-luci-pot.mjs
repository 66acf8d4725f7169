// Writes luci-app/po/templates/floatgw.pot: every string the LuCI app's
// JavaScript passes to _() and the titles of its menu entries, for
// translators (LuCI's own i18n-scan does the same for its apps). test/unit/luci-app.test.ts fails when the committed
// template is stale.
//   node scripts/gen-luci-pot.mjs
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const app = new URL("../luci-app/", import.meta.url).pathname;

function jsFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsFiles(p) : name.endsWith(".js") ? [p] : [];
  });
}

/** The strings of _('...') and _("...") calls in `source`, unescaped. */
export function translatable(source) {
  const out = [];
  const call = /\b_\(\s*(['"])((?:\\.|(?!\1)[^\\\n])*)\1\s*\)/g;
  for (const m of source.matchAll(call)) out.push(m[2].replace(/\\(.)/g, "$1"));
  return out;
}

const poString = (s) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** The menu titles of a menu.d file. */
function menuTitles(file) {
  return Object.values(JSON.parse(readFileSync(file, "utf8"))).map((node) => node.title).filter(Boolean);
}

/** The template for the .js files under luci-app/htdocs and the menu.d files. */
export function renderPot() {
  const refs = new Map();
  const menus = join(app, "root/usr/share/luci/menu.d");
  const sources = [
    ...jsFiles(join(app, "htdocs")).map((f) => [f, translatable(readFileSync(f, "utf8"))]),
    ...readdirSync(menus).sort().map((f) => [join(menus, f), menuTitles(join(menus, f))]),
  ];
  for (const [file, msgids] of sources) {
    for (const msgid of msgids) {
      const files = refs.get(msgid) ?? [];
      const ref = relative(app, file);
      if (!files.includes(ref)) files.push(ref);
      refs.set(msgid, files);
    }
  }
  let pot = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n';
  for (const msgid of [...refs.keys()].sort()) {
    pot += `\n${refs.get(msgid).map((f) => `#: ${f}`).join("\n")}\nmsgid ${poString(msgid)}\nmsgstr ""\n`;
  }
  return pot;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const out = join(app, "po/templates/floatgw.pot");
  writeFileSync(out, renderPot());
  console.log(`wrote ${out}`);
}
