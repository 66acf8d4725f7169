// Types of strip-help.mjs (the bundle's schema without its help texts, the importer without its keyword summaries).
import type { Plugin } from "esbuild";

/** `source` with every `help: <literal>` made `help: ""`. */
export declare function withoutHelp(source: string): string;
/** An importer source with its keyword summaries (for the docs only) emptied. */
export declare function withoutSummaries(source: string): string;
export declare const stripSchemaHelp: Plugin;
