// ICMP echo for a ping tracker: one raw socket per tracker (bound to its
// source address or device when set), one echo request per probe, and the
// reply recognised by identifier, sequence and sender.
import { type Addr, addrEquals, addrFromBytes, formatAddr } from "../core/addr";
import { echoReply, echoRequest } from "../track/icmp";
import type { ProbeResult } from "../track/poll";
import type { ProbeTarget } from "../track/spec";
import { C, isSyscallError, monotonicMs, sys, watchReadable } from "./engine";
import { decodeSockaddr, sockaddrIn, sockaddrIn6 } from "./sockaddr";
import { bindToDevice } from "./sockopt";

let pingers = 0;
/** Marks our requests apart from other pingers' on the host. */
const PAYLOAD = new Uint8Array([0x66, 0x6c, 0x6f, 0x61, 0x74, 0x67, 0x77, 0x00]);

function sockaddr(a: Addr): Uint8Array {
  return a.family === 4 ? sockaddrIn(a.bytes) : sockaddrIn6(a.bytes);
}

export class Pinger {
  private fd = -1;
  private readonly id: number;
  private seq = 0;
  private waiting: { seq: number; sentAt: number; done: (r: ProbeResult) => void } | null = null;

  constructor(private readonly target: ProbeTarget) {
    this.id = (sys.getpid() * 64 + pingers++) & 0xffff;
  }

  /** Sends one echo request; `done` gets the reply, or an error at once.
   * The returned function gives up waiting (the tracker's timeout). */
  probe(done: (r: ProbeResult) => void): () => void {
    const host = formatAddr(this.target.host);
    try {
      if (this.fd < 0) this.open();
      this.seq = (this.seq + 1) & 0xffff;
      this.waiting = { seq: this.seq, sentAt: monotonicMs(), done };
      sys.sendto(this.fd, echoRequest(this.target.host.family, { id: this.id, seq: this.seq }, PAYLOAD), sockaddr(this.target.host));
    } catch (e) {
      this.waiting = null;
      done({ ok: false, value: null, detail: `${host}: ${isSyscallError(e) ? sys.strerror(e.errno).toLowerCase() : String(e)}` });
    }
    return () => {
      this.waiting = null;
    };
  }

  close(): void {
    if (this.fd < 0) return;
    watchReadable(this.fd, null);
    sys.close(this.fd);
    this.fd = -1;
  }

  private open(): void {
    const v4 = this.target.host.family === 4;
    this.fd = sys.socket(v4 ? C.AF_INET : C.AF_INET6, C.SOCK_RAW | C.SOCK_NONBLOCK, v4 ? C.IPPROTO_ICMP : C.IPPROTO_ICMPV6);
    if (this.target.device !== null) bindToDevice(this.fd, this.target.device);
    if (this.target.source !== null) sys.bind(this.fd, sockaddr(this.target.source));
    watchReadable(this.fd, () => this.receive());
  }

  private receive(): void {
    for (;;) {
      let got;
      try {
        got = sys.recvmsg(this.fd, 2048);
      } catch {
        return; // an ICMP error queued on the socket; the timeout decides
      }
      if (got === null) return;
      const w = this.waiting;
      const reply = echoReply(this.target.host.family, new Uint8Array(got.data));
      if (w === null || reply === null || reply.id !== this.id || reply.seq !== w.seq) continue;
      const from = decodeSockaddr(new Uint8Array(got.from));
      const src = "address" in from ? addrFromBytes(from.address) : null;
      if (src === null || !addrEquals(src, this.target.host)) continue;
      this.waiting = null;
      const ms = Math.round((monotonicMs() - w.sentAt) * 10) / 10;
      w.done({ ok: true, value: null, detail: `reply in ${ms} ms` });
    }
  }
}
