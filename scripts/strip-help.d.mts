// Types of strip-help.mjs (the bundle's schema without its help texts).
import type { Plugin } from "esbuild";

/** `source` with every `help: <literal>` made `help: ""`. */
export declare function withoutHelp(source: string): string;
export declare const stripSchemaHelp: Plugin;
