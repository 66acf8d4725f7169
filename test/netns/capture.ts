// A tshark capture on an interface of a lab namespace, and what tshark
// decodes from it once stopped: the one way the netns tests read the wire.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { type Lab, must } from "./lab";
import { sleep, waitFor } from "./routers";

export class Capture {
  private constructor(private readonly tshark: ChildProcess, readonly pcap: string) {}

  /** Starts tshark on `iface` in `ns` with the capture filter `bpf`, writing
   * `pcap`; resolves once it captures (the file appears a little before
   * the first packet can be caught). */
  static async start(lab: Lab, ns: string, iface: string, bpf: string, pcap: string): Promise<Capture> {
    const tshark = lab.start(ns, ["tshark", "-q", "-i", iface, "-w", pcap, "-f", bpf]);
    await waitFor("tshark capturing", () => existsSync(pcap), 30_000);
    await sleep(500);
    return new Capture(tshark, pcap);
  }

  /** Stops tshark, which writes what it still holds. */
  async stop(): Promise<void> {
    const exited = new Promise((r) => this.tshark.on("exit", r));
    this.tshark.kill("SIGINT");
    await exited;
  }

  /** When each packet matching the display filter `filter` was captured,
   * in ms since the epoch. */
  times(filter: string): number[] {
    return this.fields(filter, ["frame.time_epoch"]).map(([t]) => Number(t) * 1000);
  }

  /** The packets matching the display filter `filter`, each as the values
   * of the fields `names`. */
  fields(filter: string, names: string[]): string[][] {
    return must(["tshark", "-r", this.pcap, "-Y", filter, "-T", "fields", "-E", "separator=|", ...names.flatMap((n) => ["-e", n])])
      .split("\n").filter(Boolean).map((l) => l.split("|"));
  }
}
