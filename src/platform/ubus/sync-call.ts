// [UBUS] One method call on ubusd, waited for on a socket of its own for a
// bounded time (the exchange: call.ts). For what the daemon must know
// before it can go on (netifd's device for an interface, at the start);
// everything else on ubus goes through the daemon's non-blocking
// connection (src/daemon/ubus.ts).
import type { BlobTable } from "./blob";
import { type CallResult, UbusCall } from "./call";
import { C, isSyscallError, monotonicMs, sys } from "../engine";
import { sockaddrUn } from "../sockaddr";

/** Calls `method` of `object` through ubusd at `socketPath`, waiting at most
 * `timeoutMs` for the whole exchange. */
export function callUbus(socketPath: string, object: string, method: string, args: BlobTable, timeoutMs: number): CallResult {
  const call = new UbusCall(object, method, args);
  const deadline = monotonicMs() + timeoutMs;
  let fd = -1;
  try {
    fd = sys.socket(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK, 0);
    sys.connect(fd, sockaddrUn(socketPath));
    for (;;) {
      const left = Math.ceil(deadline - monotonicMs());
      if (left <= 0 || !sys.pollReadable(fd, left)) return { ok: false, reason: `ubusd did not answer within ${timeoutMs} ms` };
      const got = sys.recvmsg(fd, 65536);
      if (got === null) continue;
      if (got.data.byteLength === 0) return { ok: false, reason: "ubusd closed the connection" };
      const out = call.receive(new Uint8Array(got.data));
      // A few hundred bytes on a fresh connection: the kernel takes them whole.
      for (const bytes of out.send) if (sys.sendto(fd, bytes, null) !== bytes.length) return { ok: false, reason: "ubusd did not take the request" };
      if (out.result !== null) return out.result;
    }
  } catch (e) {
    return { ok: false, reason: `ubusd at ${socketPath}: ${isSyscallError(e) ? e.message : String(e)}` };
  } finally {
    if (fd >= 0) sys.close(fd);
  }
}
