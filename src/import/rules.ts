// The keyword tables' machinery. Each block kind of keepalived.conf
// (global_defs, vrrp_instance, ...) has a table from keyword to rule: a
// handler that maps the line or reports why not, and a one-line summary for
// the keyword reference (docs/keepalived-keywords.md). A keyword missing from
// a table is reported with its line too, so nothing is left out silently.

import type { ConfNode } from "./conf-tree";
import { type Entry, type EntryDetails, type Origin, type Status, entry } from "./entry";

/** Where a handler is: the enclosing blocks ("vrrp_instance VI_1") and the report being written. */
export interface Scope {
  readonly path: readonly string[];
  readonly entries: Entry[];
}

export type Handler<C> = (node: ConfNode, ctx: C, scope: Scope) => void;

export interface Rule<C> {
  readonly handle: Handler<C>;
  /** What usually becomes of the keyword, for the reference; a line may still fare otherwise. */
  readonly status: Status;
  readonly summary: string;
}

/** A keyword table, built on its first use: its rules are hundreds of
 * closures that every start of the binary would otherwise make, for the
 * importer alone (docs/performance.md). */
export interface Table<C> {
  rules(): ReadonlyMap<string, Rule<C>>;
}

export function table<C>(build: () => Readonly<Record<string, Rule<C>>>): Table<C> {
  let built: ReadonlyMap<string, Rule<C>> | null = null;
  return { rules: () => (built ??= new Map(Object.entries(build()))) };
}

export function rule<C>(status: Status, summary: string, handle: Handler<C>): Rule<C> {
  return { status, summary, handle };
}

/** A keyword floatgw carries over; `summary` names what it becomes. */
export function mapped<C>(summary: string, handle: Handler<C>): Rule<C> {
  return rule("mapped", summary, handle);
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
  for (const child of node.block ?? []) reportAll(within, child, status);
}

export function unsupported<C>(note: string): Rule<C> {
  return rule("unsupported", note, (node, _ctx, scope) => reportAll(scope, node, "unsupported", { note }));
}

export function different<C>(note: string): Rule<C> {
  return rule("different", note, (node, _ctx, scope) => reportAll(scope, node, "different", { note }));
}

/** Runs the table over a block. */
export function walk<C>(nodes: readonly ConfNode[], rules: Table<C>, ctx: C, scope: Scope): void {
  for (const node of nodes) {
    const r = rules.rules().get(node.keyword);
    if (r !== undefined) r.handle(node, ctx, scope);
    else
      reportAll(scope, node, "unsupported", {
        note: "not a keyword the importer knows here (keepalived would report 'Unknown keyword' if it does not know it either)",
      });
  }
}

/** A keyword's value with where it was said, for handlers that report once the outcome is known. */
export interface Found<T> {
  readonly value: T;
  readonly at: Origin;
  readonly subject: string;
}

export function found<T>(value: T, node: ConfNode, scope: Scope, secret = false): Found<T> {
  return { value, at: node.at, subject: subject(scope, node, secret) };
}

/** Keeps the last of a repeated keyword, as keepalived does, and says so about the earlier one. */
export function replace<T>(scope: Scope, previous: Found<T> | null, next: Found<T>): Found<T> {
  if (previous !== null) say(scope, previous, "different", { note: `set again on line ${next.at.line}: the later value applies, as in keepalived` });
  return next;
}

/** Reports what became of a found value. */
export function say(scope: Scope, f: { readonly at: Origin; readonly subject: string }, status: Status, d: EntryDetails = {}): void {
  scope.entries.push(entry(status, f.at, f.subject, d));
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
