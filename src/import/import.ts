// `floatgw import-keepalived`, minus the command line: the keepalived
// configuration (either format) in, the floatgw configuration and the report
// out. Pure: files come through a FileSystemView.

import { checkConfigText } from "../config/check";
import { renderUci, type UciDraftSection } from "../config/uci-write";
import { readConfFile, readConfText, type ReadResult } from "./conf-read";
import { buildTree } from "./conf-tree";
import { convertTree } from "./convert";
import { type Entry, entry } from "./entry";
import type { FileSystemView } from "./files";
import { renderReport } from "./report";
import { generateFromUci, looksLikeUci } from "./uci-front";

export interface ImportOptions {
  /** keepalived's config id for `@ID` lines (keepalived -i; default the host name). */
  readonly configId: string | null;
  /** How `floatgw check` names the result in the report. */
  readonly outputName: string;
}

export interface ImportResult {
  /** The floatgw configuration; null when there are errors. */
  readonly config: string | null;
  readonly report: string;
  /** Every file read, so a caller never writes over one of them. */
  readonly files: readonly string[];
}

const GLOBAL: UciDraftSection = {
  type: "floatgw",
  name: "global",
  comments: ["Off until keepalived is stopped on this router: set enabled '1' then (see the migration guide)."],
  options: [{ name: "enabled", values: ["0"], list: false }],
};

interface Source {
  readonly read: ReadResult;
  readonly format: "keepalived.conf" | "OpenWrt UCI";
  readonly entries: readonly Entry[];
}

function readSource(path: string, fs: FileSystemView, configId: string | null): Source {
  const text = fs.readText(path);
  if (text === null || !looksLikeUci(text)) return { read: readConfFile(path, fs, { configId }), format: "keepalived.conf", entries: [] };
  const generated = generateFromUci(text, path);
  if (generated.altConfigFile !== null && fs.kind(generated.altConfigFile) === "file") {
    const note = entry("different", { file: path, line: 0 }, `globals: option alt_config_file '${generated.altConfigFile}'`, {
      note: "keepalived reads that file and ignores the rest of this one: that file is what was converted",
    });
    const read = readConfFile(generated.altConfigFile, fs, { configId });
    return { read: { ...read, files: [path, ...read.files] }, format: "keepalived.conf", entries: [note] };
  }
  const read = readConfText(path, generated.text, (n) => generated.origins[n - 1] ?? { file: path, line: 0 }, fs);
  return { read, format: "OpenWrt UCI", entries: generated.entries };
}

export function importKeepalived(path: string, fs: FileSystemView, options: ImportOptions): ImportResult {
  const source = readSource(path, fs, options.configId);
  const tree = buildTree(source.read.lines);
  const conversion = convertTree(tree.nodes);
  const entries: Entry[] = [...source.entries, ...source.read.entries, ...tree.entries, ...conversion.entries];
  if (!conversion.sections.some((s) => s.type === "vip") && !entries.some((e) => e.status === "error"))
    entries.push(entry("error", { file: path, line: 0 }, path, { note: "has no vrrp_instance that could be converted" }));

  let config: string | null = null;
  let check: readonly string[] | null = null;
  if (!entries.some((e) => e.status === "error")) {
    const header = [
      `/etc/config/floatgw, converted from ${path} by floatgw import-keepalived.`,
      "Its report lists every keepalived setting and what became of it.",
    ];
    const global = { ...GLOBAL, options: [...GLOBAL.options, ...conversion.global] };
    const text = renderUci(header, [global, ...conversion.sections]);
    const checked = checkConfigText(text, options.outputName);
    check = checked.lines;
    if (checked.exitCode === 0) config = text;
  }
  const report = renderReport({
    source: path,
    format: source.format,
    files: source.read.files,
    configId: options.configId,
    otherRouterLines: source.read.otherRouterLines,
    entries,
    vipSections: conversion.sections.filter((s) => s.type === "vip").length,
    trackers: conversion.sections.filter((s) => s.type === "tracker").length,
    check,
  });
  return { config, report, files: source.read.files };
}
