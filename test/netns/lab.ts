// A lab of network namespaces for tests on the real kernel. Every namespace
// and process a test makes is recorded here and removed by name and PID in
// cleanup(), which tests call from afterEach, so a failing test leaves
// nothing behind. Addresses come from 198.18.0.0/15 and 2001:db8::/32 only.
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const FLOATGWD = resolve(ROOT, "build/x86_64/floatgwd");

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by timeoutMs) and returns its output. */
export function run(argv: string[], timeoutMs = 20_000): Result {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like run, but throws with the command's stderr when it fails. */
export function must(argv: string[], timeoutMs = 20_000): string {
  return succeeded(argv, run(argv, timeoutMs));
}

/** must, for a long command: the test's worker stays free while it runs.
 * vitest 3 gives its worker's RPC to the runner 60 s for a reply, and reads
 * replies only when the event loop turns; synchronous commands that add up
 * to a minute (the SDK's makes) fail the run though every test passed. */
export function mustAsync(argv: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err?.killed) reject(new Error(`${argv.join(" ")} did not finish in ${timeoutMs} ms`));
      else if (typeof err?.code === "string") reject(err);
      else {
        try { resolve(succeeded(argv, { status: err ? (err.code ?? -1) : 0, stdout, stderr })); } catch (e) { reject(e); }
      }
    });
  });
}

function succeeded(argv: string[], r: Result): string {
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

let counter = 0;

export class Lab {
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  /** A prefix unique to this test process, short enough for interface names. */
  readonly prefix = `fg${process.pid.toString(36)}${(counter++).toString(36)}`;

  /** Creates a namespace with lo up and returns its name. */
  netns(role: string): string {
    const name = `${this.prefix}-${role}`;
    must(["ip", "netns", "add", name]);
    this.namespaces.push(name);
    must(["ip", "-n", name, "link", "set", "lo", "up"]);
    return name;
  }

  /** Runs a command inside a namespace to completion. */
  exec(ns: string, argv: string[], timeoutMs = 20_000): Result {
    return run(["ip", "netns", "exec", ns, ...argv], timeoutMs);
  }

  /** Starts a long-running command inside a namespace (with `env` added to
   * its environment); killed in cleanup. */
  start(ns: string, argv: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.children.push(child);
    return child;
  }

  /** Builds the two-router lab of test/lab/lab.sh under this lab's prefix
   * and returns its namespace names. */
  topology(): { sw: string; a: string; b: string; c: string } {
    must(["bash", `${ROOT}/test/lab/lab.sh`, "up", this.prefix], 60_000);
    const names = { sw: `${this.prefix}-sw`, a: `${this.prefix}-a`, b: `${this.prefix}-b`, c: `${this.prefix}-c` };
    this.namespaces.push(names.sw, names.a, names.b, names.c);
    return names;
  }

  /** Kills what this lab started (by PID) and deletes its namespaces. */
  cleanup(): void {
    for (const child of this.children.splice(0)) {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    for (const ns of this.namespaces.splice(0)) {
      // Processes we did not start ourselves (a daemon forked by a child)
      // die with the namespace's last reference; list them to kill by PID.
      for (const pid of run(["ip", "netns", "pids", ns]).stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
      run(["ip", "netns", "del", ns]);
    }
  }
}

export function requireBinary(path = FLOATGWD): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run make first`);
  return path;
}
