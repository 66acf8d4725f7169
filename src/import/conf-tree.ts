// keepalived.conf's block structure: a line followed by `{` opens a block
// that the matching `}` closes, whether the block holds keywords
// (vrrp_instance) or values (virtual_ipaddress). Both formats the importer
// reads end up as this tree, so one set of keyword tables maps them.

import type { LogicalLine } from "./conf-read";
import { splitWords } from "./conf-text";
import { type Entry, type Origin, entry } from "./entry";

export interface ConfNode {
  readonly keyword: string;
  /** The words after the keyword, read as every keyword reads them. */
  readonly args: readonly string[];
  /** The whole logical line, for keywords that re-read it with script quoting. */
  readonly text: string;
  readonly at: Origin;
  /** The block that follows the line, or null. */
  readonly block: readonly ConfNode[] | null;
}

export interface Tree {
  readonly nodes: readonly ConfNode[];
  readonly entries: readonly Entry[];
}

class TreeBuilder {
  private i = 0;
  readonly entries: Entry[] = [];

  constructor(private readonly lines: readonly LogicalLine[]) {}

  /** Nodes up to the `}` closing `opener`, or to the end of the input at the top. */
  block(opener: ConfNode | null): ConfNode[] {
    const nodes: ConfNode[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i++];
      if (line === undefined) break;
      if (line.text === "}") {
        if (opener !== null) return nodes;
        this.entries.push(entry("error", line.at, "}", { note: "closes no block (keepalived: 'Extra '}' found')" }));
        continue;
      }
      if (line.text === "{") {
        this.entries.push(entry("error", line.at, "{", { note: "opens a block after no keyword (keepalived: 'Unexpected '{'')" }));
        this.block({ keyword: "{", args: [], text: "{", at: line.at, block: null });
        continue;
      }
      const words = splitWords(line.text);
      if (words.unmatchedQuote)
        this.entries.push(entry("error", line.at, line.text, { note: "a double quote is not closed: keepalived drops the rest of the line" }));
      const [keyword, ...args] = words.words;
      if (keyword === undefined) continue;
      let node: ConfNode = { keyword, args, text: line.text, at: line.at, block: null };
      if (this.lines[this.i]?.text === "{") {
        this.i++;
        node = { ...node, block: this.block(node) };
      }
      nodes.push(node);
    }
    if (opener !== null)
      this.entries.push(entry("error", opener.at, opener.text, { note: "its block is never closed with '}'" }));
    return nodes;
  }
}

export function buildTree(lines: readonly LogicalLine[]): Tree {
  const builder = new TreeBuilder(lines);
  const nodes = builder.block(null);
  return { nodes, entries: builder.entries };
}
