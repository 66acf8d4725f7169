#!/usr/bin/python3
"""Sends hostile VRRP datagrams onto a lab link, for the tests that prove
floatgwd drops and counts them. Builds the IPv4 header itself (IP_HDRINCL)
so the TTL can lie. Only to 224.0.0.18 on the given interface.

usage: inject.py IFNAME SRC KIND [KIND ...]
kinds: garbage (version 7, VRID 51), short (one byte), ttl64 (valid advert, priority 250, TTL 64),
       badsum (vrid 51, wrong checksum), vrid99 (valid advert for VRID 99),
"""
import socket
import struct
import sys

GROUP = "224.0.0.18"
SO_BINDTODEVICE = 25


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def advert_v3(src: str, vrid: int, prio: int, vip: str = "198.18.0.1") -> bytes:
    body = struct.pack("!BBBBH", 0x31, vrid, prio, 1, 10) + b"\0\0" + socket.inet_aton(vip)
    pseudo = socket.inet_aton(src) + socket.inet_aton(GROUP) + struct.pack("!BBH", 0, 112, len(body))
    s = checksum(pseudo + body)
    return body[:6] + struct.pack("!H", s) + body[8:]


def ip_packet(src: str, ttl: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), 0, 0, ttl, 112, 0,
                         socket.inet_aton(src), socket.inet_aton(GROUP))
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def main() -> None:
    ifname, src, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
    for kind in kinds:
        if kind == "garbage":
            # VRID 51 so it reaches the instance, version 7 so it fails there
            packet = ip_packet(src, 255, bytes([0x71, 51]) + bytes(range(7, 45)))
        elif kind == "short":
            packet = ip_packet(src, 255, b"\x31")
        elif kind == "ttl64":
            packet = ip_packet(src, 64, advert_v3(src, 51, 250))
        elif kind == "badsum":
            good = advert_v3(src, 51, 250)
            packet = ip_packet(src, 255, good[:6] + bytes([good[6] ^ 0xFF, good[7]]) + good[8:])
        elif kind == "vrid99":
            packet = ip_packet(src, 255, advert_v3(src, 99, 250))
        else:
            raise SystemExit(f"unknown kind {kind}")
        s.sendto(packet, (GROUP, 0))


if __name__ == "__main__":
    main()
