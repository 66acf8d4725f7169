// The engine adapter: the only module that imports QuickJS's "std"/"os" and
// the native C module. The rest of src/ sees typed functions, so a change of
// engine touches this file alone.
import * as std from "std";
import * as os from "os";
import * as native from "native";

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
  connect: native.connect,
  sendto: native.sendto,
  recvmsg: native.recvmsg,
  recvmsgInto: native.recvmsgInto,
  getsockname: native.getsockname,
  ifNameToIndex: native.ifNameToIndex,
  pollReadable: native.pollReadable,
  getpid: native.getpid,
  attachFilter: native.attachFilter,
  socketError: native.socketError,
  strerror: native.strerror,
  watcher: native.watcher,
  listener: native.listener,
  read: native.read,
  inotifyInit: native.inotifyInit,
  inotifyAddWatch: native.inotifyAddWatch,
  inotifyRmWatch: native.inotifyRmWatch,
};

/** Whether a[aFrom, +n) equals b[bFrom, +n): core/bytes.ts's SameBytes as
 * a memcmp, for comparisons made for every datagram received. */
export const bytesEqual: (a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, n: number) => boolean = native.bytesEqual;

/** Milliseconds of CLOCK_MONOTONIC, with microsecond resolution. */
export function monotonicMs(): number {
  return native.monotonicMs();
}

/** The name the program was called by (floatgwd, or floatgw through its symlink). */
export function programName(): string {
  return (scriptArgs[0] ?? "floatgw").replace(/^.*\//, "");
}

/** A path that starts this program again: /proc/self/exe (whatever the
 * file is called), else the absolute path it was started by (a chroot
 * without /proc); null when there is neither. */
export function executablePath(): string | null {
  if (fileKind("/proc/self/exe") === "file") return "/proc/self/exe";
  const argv0 = scriptArgs[0] ?? "";
  return argv0.startsWith("/") ? argv0 : null;
}

/** Command-line arguments after the program name. */
export function programArgs(): string[] {
  return scriptArgs.slice(1);
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

/** What a read handler returns: true when it stopped at its budget with
 * more waiting (see watchReadable). */
export type ReadHandler = () => boolean | void;

/** Calls cb whenever fd is readable; null stops watching.
 *
 * QuickJS's event loop runs one due timer, else polls and calls the first
 * readable descriptor's handler in the order they were registered, one per
 * turn. A flooded descriptor registered early would then be served turn
 * after turn while later ones (the VRRP socket) starve. So a handler does a
 * bounded amount of work and returns true when more is waiting: it is then
 * registered again, at the back of the list, and the next turns serve the
 * other readable descriptors first (timers always go first). */
export function watchReadable(fd: number, cb: ReadHandler | null): void {
  if (cb === null) {
    os.setReadHandler(fd, null);
    return;
  }
  const handler = (): void => {
    if (cb() !== true) return;
    os.setReadHandler(fd, null);
    os.setReadHandler(fd, handler);
  };
  os.setReadHandler(fd, handler);
}

/** Calls cb whenever fd can be written to; null stops watching. */
export function watchWritable(fd: number, cb: (() => void) | null): void {
  os.setWriteHandler(fd, cb);
}

/** Runs cb once after ms milliseconds; the returned function cancels it. */
export function after(ms: number, cb: () => void): () => void {
  const handle = os.setTimeout(cb, Math.max(0, ms));
  return () => os.clearTimeout(handle);
}

/** One callback, run once each time the timer is set and runs out: for a
 * timer set over and over (an instance's next deadline), without a new
 * closure each time. Setting it again replaces what was set. */
export class Timer {
  private handle: os.TimerHandle | null = null;
  private readonly expired: () => void;

  constructor(cb: () => void) {
    this.expired = () => {
      this.handle = null;
      cb();
    };
  }

  /** Runs the callback after ms milliseconds (and not before: QuickJS's
   * timers and monotonicMs read the same clock). */
  set(ms: number): void {
    if (this.handle !== null) os.clearTimeout(this.handle);
    this.handle = os.setTimeout(this.expired, Math.max(0, ms));
  }

  cancel(): void {
    if (this.handle === null) return;
    os.clearTimeout(this.handle);
    this.handle = null;
  }
}

export type SignalName = "TERM" | "INT" | "HUP" | "CHLD";

export function onSignal(name: SignalName, cb: () => void): void {
  const signals: Record<SignalName, number> = { TERM: os.SIGTERM, INT: os.SIGINT, HUP: C.SIGHUP, CHLD: os.SIGCHLD };
  os.signal(signals[name], cb);
}

/** Starts a program with exactly `env` as its environment, without waiting;
 * returns its pid, or a negative errno. */
export function spawn(argv: string[], env: Record<string, string>): number {
  return os.exec(argv, { block: false, usePath: false, env });
}

/** Starts a program as spawn does, with its standard output going to a new
 * file at `outputPath` (created with O_EXCL, mode 0600: never a file or
 * link someone planted there); returns its pid, or a negative errno. */
export function spawnWithOutput(argv: string[], env: Record<string, string>, outputPath: string): number {
  const fd = os.open(outputPath, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600);
  if (fd < 0) return fd;
  try {
    return os.exec(argv, { block: false, usePath: false, env, stdout: fd });
  } finally {
    os.close(fd);
  }
}

/** How a child ended: its exit status, or the signal that killed it. */
export type ChildExit = { readonly code: number; readonly signal: null } | { readonly code: null; readonly signal: number };

/** How a child that has ended ended (reaping it), or null while it runs. */
export function waitChild(pid: number): ChildExit | null {
  const e = waitChildOrStop(pid, false);
  return e === "stopped" ? null : e;
}

/** As waitChild, and with `stops` also "stopped" once for each time the
 * child was stopped (SIGSTOP, SIGTSTP...) since the last look. */
export function waitChildOrStop(pid: number, stops: boolean): ChildExit | "stopped" | null {
  const [ret, status] = os.waitpid(pid, stops ? os.WNOHANG | C.WUNTRACED : os.WNOHANG);
  if (ret !== pid) return null;
  if ((status & 0xff) === 0x7f) return "stopped";
  return (status & 0x7f) === 0 ? { code: (status >> 8) & 0xff, signal: null } : { code: null, signal: status & 0x7f };
}

/** The exit status of a child that has ended (reaping it), 128 + the
 * signal if one killed it, or null while it runs. */
export function reap(pid: number): number | null {
  const e = waitChild(pid);
  if (e === null) return null;
  return e.signal === null ? e.code : 128 + e.signal;
}

/** Starts a program in a session of its own, with /dev/null for its standard
 * streams, exactly `env` as environment, and as uid/gid (-1: unchanged);
 * returns its pid. killSession ends it and whatever it started. */
export function spawnSession(argv: readonly string[], env: Record<string, string>, uid = -1, gid = -1): number {
  return native.spawn(argv, Object.keys(env).map((k) => `${k}=${env[k] ?? ""}`), uid, gid);
}

export function killSession(pid: number): void {
  os.kill(-pid, C.SIGKILL);
}

export function isExecutable(path: string): boolean {
  const [st, err] = os.stat(path);
  return err === 0 && (st.mode & 0o111) !== 0 && (st.mode & 0o170000) === 0o100000;
}

/** Blocks the whole event loop: only for the last moments before exit. */
export function sleepBlocking(ms: number): void {
  os.sleep(ms);
}

export function killHard(pid: number): void {
  os.kill(pid, C.SIGKILL);
}

/** Everything a stream gives, then closed; null when it did not open. */
function readAll(f: std.FILE | null): string | null {
  if (!f) return null;
  try {
    return f.readAsString();
  } finally {
    f.close();
  }
}

/** What a shell command prints on stdout, or null if it cannot be run. */
export function commandOutput(command: string): string | null {
  return readAll(std.popen(command, "r"));
}

/** A whole text file, or null when it cannot be opened. (std.loadFile sizes
 * files with ftell, which fails on procfs and sysfs.) */
export function readTextFile(path: string): string | null {
  return readAll(std.open(path, "r"));
}

/** Writes through a temporary file and rename, so readers never see half.
 * The temporary file is created beside the target (rename stays on one
 * file system) under a fresh random name with O_EXCL, so a name planted in
 * a shared directory such as /tmp (a symlink to /etc/shadow, say) is never
 * followed or reused; `mode` is its permission bits (less the umask). */
export function writeFileAtomic(path: string, text: string, mode = 0o644): boolean {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  const base = path.slice(slash + 1);
  for (let attempt = 0; attempt < 8; attempt++) {
    const tmp = `${dir}/.${base}.${Math.floor(Math.random() * 0x100000000).toString(36)}${attempt}`;
    const fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode);
    if (fd === -C.EEXIST) continue;
    if (fd < 0) return false;
    const f = std.fdopen(fd, "w");
    if (!f) {
      os.close(fd);
      os.remove(tmp);
      return false;
    }
    f.puts(text);
    const failed = f.close() !== 0;
    if (!failed && os.rename(tmp, path) === 0) return true;
    os.remove(tmp);
    return false;
  }
  return false;
}

/** Sets the process's file mode creation mask; returns the previous one. */
export function setUmask(mask: number): number {
  return native.umask(mask);
}

/** Creates a directory and its parents; true if it exists afterwards. */
export function makeDirs(path: string): boolean {
  let prefix = "";
  let result = 0;
  for (const part of path.split("/")) {
    prefix += part + "/";
    if (part !== "") result = os.mkdir(prefix, 0o755);
  }
  return result === 0 || result === -C.EEXIST;
}

/** Writes a file in place (for files other programs watch by name). */
export function writeTextFile(path: string, text: string): boolean {
  const f = std.open(path, "w");
  if (!f) return false;
  f.puts(text);
  return f.close() === 0;
}

export function removeFile(path: string): void {
  os.remove(path);
}

/** "file", "dir" (following symlinks), or null when `path` does not exist. */
export function fileKind(path: string): "file" | "dir" | null {
  const [st, err] = os.stat(path);
  if (err !== 0) return null;
  return (st.mode & 0o170000) === 0o040000 ? "dir" : "file";
}

/** The names in a directory, without `.` and `..`; null when it cannot be read. */
export function listDirectory(path: string): string[] | null {
  const [names, err] = os.readdir(path);
  return err === 0 ? names.filter((n) => n !== "." && n !== "..") : null;
}

export function currentDirectory(): string | null {
  const [dir, err] = os.getcwd();
  return err === 0 ? dir : null;
}
