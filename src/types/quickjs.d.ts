// Declarations for the parts of QuickJS 2021-03-27's built-in modules and
// globals that floatgw uses, which are all the engine keeps of "std" and
// "os" (CONFIG_LIBC_SUBSET, patches/quickjs-size.patch). Only
// src/platform/engine.ts imports "std" and "os"; everything else goes
// through that adapter.

declare const scriptArgs: string[];
declare const console: { log(...args: unknown[]): void };

declare module "std" {
  export interface FILE {
    puts(s: string): void;
    flush(): void;
    close(): number;
    readAsString(maxSize?: number): string;
  }
  export const out: FILE;
  export const err: FILE;
  export function exit(code: number): never;
  export function open(path: string, mode: string, errorObj?: { errno?: number }): FILE | null;
  export function fdopen(fd: number, mode: string, errorObj?: { errno?: number }): FILE | null;
  export function popen(command: string, mode: string, errorObj?: { errno?: number }): FILE | null;
}

declare module "os" {
  export type TimerHandle = { readonly __timer: unique symbol };
  export function setReadHandler(fd: number, cb: (() => void) | null): void;
  export function setWriteHandler(fd: number, cb: (() => void) | null): void;
  /** `ms` keeps its fraction, to the microsecond (patches/quickjs-timers.patch). */
  export function setTimeout(cb: () => void, ms: number): TimerHandle;
  export function clearTimeout(handle: TimerHandle): void;
  export function signal(sig: number, cb: (() => void) | null | undefined): void;
  export function kill(pid: number, sig: number): number;
  export function exec(args: string[], options?: {
    block?: boolean; usePath?: boolean; file?: string; cwd?: string;
    stdin?: number; stdout?: number; stderr?: number; env?: Record<string, string>;
  }): number;
  export function waitpid(pid: number, options: number): [number, number];
  export function rename(oldPath: string, newPath: string): number;
  export function remove(path: string): number;
  export function mkdir(path: string, mode?: number): number;
  export function close(fd: number): number;
  /** A file descriptor, or a negative errno. */
  export function open(path: string, flags: number, mode?: number): number;
  export const O_WRONLY: number;
  export const O_CREAT: number;
  export const O_EXCL: number;
  export function sleep(ms: number): void;
  export function stat(path: string): [{ mode: number; size: number }, number];
  export function readdir(path: string): [string[], number];
  export function getcwd(): [string, number];
  export const SIGINT: number;
  export const SIGTERM: number;
  export const SIGCHLD: number;
  export const WNOHANG: number;
}
