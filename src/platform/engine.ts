// The engine adapter: the only module that imports QuickJS's "std"/"os" and
// the native C module. The rest of src/ sees typed functions, so a change of
// engine touches this file alone.
import * as std from "std";
import * as native from "native";

export type { Received } from "native";

/** Socket, protocol and errno numbers as the target CPU defines them. */
export const C = native.constants;

export const engineVersion: string = native.engineVersion;

/** An error thrown by a failing syscall in the native module. */
export interface SyscallError extends Error {
  syscall: string;
  errno: number;
}

export function isSyscallError(e: unknown): e is SyscallError {
  return e instanceof Error && typeof (e as Partial<SyscallError>).errno === "number";
}

export const sys = {
  socket: native.socket,
  close: native.close,
  setsockopt: native.setsockopt,
  bind: native.bind,
  sendto: native.sendto,
  recvmsg: native.recvmsg,
  getsockname: native.getsockname,
  ifNameToIndex: native.ifNameToIndex,
  getpid: native.getpid,
};

/** Milliseconds of CLOCK_MONOTONIC, with microsecond resolution. */
export function monotonicMs(): number {
  return native.monotonicMs();
}

/** Command-line arguments after the program name. */
export function programArgs(): string[] {
  return scriptArgs.slice(1);
}

export function programName(): string {
  return scriptArgs[0] ?? "floatgwd";
}

export function writeOut(text: string): void {
  std.out.puts(text);
  std.out.flush();
}

export function writeErr(text: string): void {
  std.err.puts(text);
  std.err.flush();
}

export function exit(code: number): never {
  std.out.flush();
  std.err.flush();
  return std.exit(code);
}
