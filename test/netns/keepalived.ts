// Drives Debian's keepalived on a lab router: VRRP only, in the foreground,
// logging to stderr, with its pid files in the router's temp directory, so
// the Lab kills it by PID in cleanup.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "./lab";
import type { Router } from "./routers";

export class Keepalived {
  private child: ReturnType<Lab["start"]> | null = null;
  private output = "";

  /** `conf` is the path of a keepalived.conf; `args` more options (`-i ID`). */
  constructor(
    private readonly lab: Lab,
    private readonly router: Router,
    readonly conf: string,
    private readonly args: readonly string[] = [],
  ) {}

  /** Writes `text` as the router's keepalived.conf; throws when `keepalived -t` rejects it. */
  static checked(lab: Lab, router: Router, text: string): Keepalived {
    const conf = join(router.dir, "keepalived.conf");
    writeFileSync(conf, text);
    const check = lab.exec(router.ns, ["keepalived", "-t", "-f", conf]);
    if (check.status !== 0) throw new Error(`keepalived -t rejected the config: ${check.stderr}`);
    return new Keepalived(lab, router, conf);
  }

  start(): void {
    const d = this.router.dir;
    const child = this.lab.start(this.router.ns, ["keepalived", "-n", "-l", "-D", "-P", "-f", this.conf,
      "-p", join(d, "ka.pid"), "-r", join(d, "ka-vrrp.pid"), "-G", ...this.args]);
    child.stdout?.on("data", (b: Buffer) => (this.output += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (this.output += b.toString()));
    this.child = child;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  }

  get log(): string {
    return this.output;
  }
}
