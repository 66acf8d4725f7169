#!/usr/bin/python3
"""A hostile host on a lab link, for the tests that prove floatgwd shrugs
off what any LAN host can send. It builds IPv4 headers itself (raw sockets,
IP_HDRINCL) so that the TTL and the source address can lie. Only lab
addresses (198.18.0.0/15) are accepted as destinations.

usage:
  attack.py samples IFNAME SRC KIND...      one hostile VRRP datagram per KIND to 224.0.0.18:
      garbage (version 7, VRID 51), short (one byte), ttl64 (valid advert, priority 250, TTL 64),
      badsum (VRID 51, wrong checksum), vrid99 (valid advert for VRID 99)
  attack.py advert IFNAME SRC DST [--prio P] [--ttl T] [--vrid V] [--count N] [--rate R] [--spread]
      valid VRRPv3 adverts (VIP 198.18.0.1, 100 cs); --spread varies the source's last byte
      (198.18.0.x, x = 100..199) so that every datagram seems to come from another host
  attack.py flood IFNAME SRC DST PORT [--size B] [--seconds S] [--rate R] [--magic]
      UDP datagrams of B bytes, R a second (default: as fast as possible), for
      S seconds, in IP fragments when B > 1472; --magic starts each with the
      lease channel's "FGL1"; prints how many were sent
  attack.py replay IFNAME SRC DST PORT HEX...   each HEX as one UDP payload from SRC:PORT to DST:PORT
  attack.py listen ADDR PORT SECONDS        counts UDP datagrams to ADDR:PORT; prints the count
  attack.py fuzz IFNAME SRC DST COUNT [--seed S] [--lease-port P] [--lease-src A]
      COUNT hostile datagrams, seeded: mutated VRRP adverts (to 224.0.0.18 and to
      DST, the checksum fixed up half of the time) and, with --lease-port,
      lease-channel datagrams to DST (from --lease-src, e.g. the peer's address
      so that they get past the source check); prints how many of each
"""
import argparse
import ipaddress
import socket
import struct
import sys
import time

GROUP = "224.0.0.18"
SO_BINDTODEVICE = 25
LAB = ipaddress.ip_network("198.18.0.0/15")
MCAST = ipaddress.ip_network("224.0.0.0/4")


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def advert_v3(src: str, dst: str, vrid: int, prio: int, vip: str = "198.18.0.1") -> bytes:
    body = struct.pack("!BBBBH", 0x31, vrid, prio, 1, 100) + b"\0\0" + socket.inet_aton(vip)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 112, len(body))
    s = checksum(pseudo + body)
    return body[:6] + struct.pack("!H", s) + body[8:]


def ip_packet(src: str, dst: str, ttl: int, proto: int, payload: bytes, ident: int = 0, frag: int = 0) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), ident, frag, ttl, proto, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def udp(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    # Checksum 0: none (allowed over IPv4), so that floods cost the sender nothing.
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def raw_socket(ifname: str) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
    return s


def lab_only(dst: str) -> str:
    a = ipaddress.ip_address(dst)
    if a not in LAB and a not in MCAST:
        raise SystemExit(f"{dst} is not a lab address")
    return dst


def send_udp(s: socket.socket, src: str, dst: str, sport: int, dport: int, payload: bytes, ident: int) -> None:
    """One UDP datagram, in IP fragments of at most 1480 bytes of payload."""
    data = udp(src, dst, sport, dport, payload)
    step = 1480
    for off in range(0, len(data), step):
        more = 0x2000 if off + step < len(data) else 0
        s.sendto(ip_packet(src, dst, 64, 17, data[off:off + step], ident, more | (off // 8)), (dst, 0))


def samples(a: argparse.Namespace) -> None:
    s = raw_socket(a.ifname)
    for kind in a.kinds:
        if kind == "garbage":
            # VRID 51 so it reaches the instance, version 7 so it fails there
            packet = ip_packet(a.src, GROUP, 255, 112, bytes([0x71, 51]) + bytes(range(7, 45)))
        elif kind == "short":
            packet = ip_packet(a.src, GROUP, 255, 112, b"\x31")
        elif kind == "ttl64":
            packet = ip_packet(a.src, GROUP, 64, 112, advert_v3(a.src, GROUP, 51, 250))
        elif kind == "badsum":
            good = advert_v3(a.src, GROUP, 51, 250)
            packet = ip_packet(a.src, GROUP, 255, 112, good[:6] + bytes([good[6] ^ 0xFF, good[7]]) + good[8:])
        elif kind == "vrid99":
            packet = ip_packet(a.src, GROUP, 255, 112, advert_v3(a.src, GROUP, 99, 250))
        else:
            raise SystemExit(f"unknown kind {kind}")
        s.sendto(packet, (GROUP, 0))


def advert(a: argparse.Namespace) -> None:
    s = raw_socket(a.ifname)
    dst = lab_only(a.dst)
    base = a.src.rsplit(".", 1)[0]
    for i in range(a.count):
        src = f"{base}.{100 + i % 100}" if a.spread else a.src
        s.sendto(ip_packet(src, dst, a.ttl, 112, advert_v3(src, dst, a.vrid, a.prio)), (dst, 0))
        if a.rate:
            time.sleep(1 / a.rate)


def flood(a: argparse.Namespace) -> None:
    s = raw_socket(a.ifname)
    dst = lab_only(a.dst)
    payload = (b"FGL1" if a.magic else b"") + bytes(a.size - (4 if a.magic else 0))
    start = time.monotonic()
    end = start + a.seconds
    sent = 0
    while time.monotonic() < end:
        try:
            send_udp(s, a.src, dst, 40000, a.port, payload, sent & 0xFFFF)
            sent += 1
        except OSError:
            time.sleep(0.001)  # our own buffer is full: the link is saturated
            continue
        if a.rate:
            ahead = start + sent / a.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    print(sent)


def replay(a: argparse.Namespace) -> None:
    s = raw_socket(a.ifname)
    dst = lab_only(a.dst)
    for i, h in enumerate(a.payloads):
        send_udp(s, a.src, dst, a.port, a.port, bytes.fromhex(h), 0x4000 + i)
        time.sleep(0.005)


def mutate(rng, b: bytes) -> bytes:
    out = bytearray(b)
    for _ in range(1 + rng.randrange(4)):
        op = rng.randrange(5)
        at = rng.randrange(max(1, len(out)))
        if op == 0 and out:
            out[at] ^= 1 << rng.randrange(8)
        elif op == 1 and out:
            out[at] = rng.choice([0, 1, 2, 3, 0x7F, 0x80, 0xFF, 51])
        elif op == 2:
            del out[at:]
        elif op == 3:
            out += bytes(rng.randrange(256) for _ in range(1 + rng.randrange(40)))
        elif out:
            out[at] = rng.randrange(256)
    return bytes(out)


def fuzz(a: argparse.Namespace) -> None:
    import random
    rng = random.Random(a.seed)
    s = raw_socket(a.ifname)
    dst = lab_only(a.dst)
    counts = {"vrrp": 0, "lease": 0}
    for i in range(a.count):
        if a.lease_port and i % 3 == 2:
            size = rng.choice([0, 10, 60, 200, 1400, 1473, 3000])
            payload = (b"FGL1" if rng.randrange(4) else b"") + bytes(rng.randrange(256) for _ in range(size))
            src = a.lease_src if rng.randrange(2) else a.src
            send_udp(s, src, dst, a.lease_port, a.lease_port, payload, i & 0xFFFF)
            counts["lease"] += 1
            continue
        to = GROUP if rng.randrange(2) else dst
        body = advert_v3(a.src, to, rng.choice([51, 51, 52]), rng.choice([0, 50, 100, 200, 255]))
        if rng.randrange(4):
            body = mutate(rng, body)
        if rng.randrange(2) and len(body) >= 8:
            fixed = body[:6] + b"\0\0" + body[8:]
            pseudo = socket.inet_aton(a.src) + socket.inet_aton(to) + struct.pack("!BBH", 0, 112, len(fixed))
            body = fixed[:6] + struct.pack("!H", checksum(pseudo + fixed)) + fixed[8:]
        packet = ip_packet(a.src, to, 255 if rng.randrange(8) else rng.randrange(256), 112, body)
        try:
            s.sendto(packet, (to, 0))
        except OSError:
            time.sleep(0.001)
        counts["vrrp"] += 1
        if i % 200 == 199:
            time.sleep(0.002)  # let the receivers' buffers drain a little
    print(counts["vrrp"], counts["lease"])


def listen(a: argparse.Namespace) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.addr, a.port))
    s.settimeout(0.2)
    end = time.monotonic() + a.seconds
    n = 0
    while time.monotonic() < end:
        try:
            s.recv(65536)
            n += 1
        except socket.timeout:
            pass
    print(n)


# Each subcommand: its function and its arguments (name, options for argparse).
COMMANDS = {
    "samples": (samples, [("ifname", {}), ("src", {}), ("kinds", {"nargs": "+"})]),
    "advert": (advert, [("ifname", {}), ("src", {}), ("dst", {}), ("--prio", {"type": int, "default": 254}),
                        ("--ttl", {"type": int, "default": 255}), ("--vrid", {"type": int, "default": 51}),
                        ("--count", {"type": int, "default": 1}), ("--rate", {"type": float, "default": 0}),
                        ("--spread", {"action": "store_true"})]),
    "flood": (flood, [("ifname", {}), ("src", {}), ("dst", {}), ("port", {"type": int}),
                      ("--size", {"type": int, "default": 65000}), ("--seconds", {"type": float, "default": 5}),
                      ("--rate", {"type": float, "default": 0}), ("--magic", {"action": "store_true"})]),
    "replay": (replay, [("ifname", {}), ("src", {}), ("dst", {}), ("port", {"type": int}), ("payloads", {"nargs": "+"})]),
    "listen": (listen, [("addr", {}), ("port", {"type": int}), ("seconds", {"type": float})]),
    "fuzz": (fuzz, [("ifname", {}), ("src", {}), ("dst", {}), ("count", {"type": int}), ("--seed", {"type": int, "default": 1}),
                    ("--lease-port", {"type": int, "default": 0}), ("--lease-src", {"default": ""})]),
}


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name, (run, args) in COMMANDS.items():
        x = sub.add_parser(name)
        for arg, options in args:
            x.add_argument(arg, **options)
        x.set_defaults(run=run)
    a = p.parse_args()
    a.run(a)


if __name__ == "__main__":
    sys.exit(main())
