// The keyword tables' machinery. Each block kind of keepalived.conf
// (global_defs, vrrp_instance, ...) has a table from keyword to handler; a
// handler maps the line or reports why not. A keyword missing from a table
// is reported with its line too, so nothing is left out silently.

import type { ConfNode } from "./conf-tree";
import { type Entry, type EntryDetails, type Status, entry } from "./entry";

/** Where a handler is: the enclosing blocks ("vrrp_instance VI_1") and the report being written. */
export interface Scope {
  readonly path: readonly string[];
  readonly entries: Entry[];
}

export type Handler<C> = (node: ConfNode, ctx: C, scope: Scope) => void;
export type Table<C> = ReadonlyMap<string, Handler<C>>;

export function table<C>(handlers: Readonly<Record<string, Handler<C>>>): Table<C> {
  return new Map(Object.entries(handlers));
}

function word(w: string): string {
  return w === "" || /[\s"]/.test(w) ? `"${w}"` : w;
}

/** A node as the report shows it: "priority 150", with secret arguments hidden. */
export function describe(node: ConfNode, secret = false): string {
  if (secret) return `${node.keyword} (hidden)`;
  return [node.keyword, ...node.args].map(word).join(" ");
}

export function inner(scope: Scope, node: ConfNode): Scope {
  return { path: [...scope.path, describe(node)], entries: scope.entries };
}

export function subject(scope: Scope, node: ConfNode, secret = false): string {
  return [...scope.path, describe(node, secret)].join(" > ");
}

export function report(scope: Scope, node: ConfNode, status: Status, details: EntryDetails = {}, secret = false): void {
  scope.entries.push(entry(status, node.at, subject(scope, node, secret), details));
}

/** Reports a node and everything in its block with one status; the note goes on the node itself. */
export function reportAll(scope: Scope, node: ConfNode, status: Status, details: EntryDetails = {}): void {
  report(scope, node, status, details);
  const within = inner(scope, node);
  for (const child of node.block ?? []) reportAll(within, child, status, { later: details.later ?? null });
}

export function unsupported<C>(note: string, later: string | null = null): Handler<C> {
  return (node, _ctx, scope) => reportAll(scope, node, "unsupported", { note, later });
}

export function different<C>(note: string, target: string | null = null): Handler<C> {
  return (node, _ctx, scope) => reportAll(scope, node, "different", { note, target });
}

/** Runs the table over a block. */
export function walk<C>(nodes: readonly ConfNode[], rules: Table<C>, ctx: C, scope: Scope): void {
  for (const node of nodes) {
    const handler = rules.get(node.keyword);
    if (handler !== undefined) handler(node, ctx, scope);
    else
      reportAll(scope, node, "unsupported", {
        note: "not a keyword the importer knows here (keepalived would report 'Unknown keyword' if it does not know it either)",
      });
  }
}

/** The node's one argument, or a reported error. */
export function onlyArg(node: ConfNode, scope: Scope): string | null {
  const arg = node.args[0];
  if (arg === undefined) {
    report(scope, node, "error", { note: "needs a value" });
    return null;
  }
  return arg;
}
