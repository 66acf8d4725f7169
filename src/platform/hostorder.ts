// Netlink messages and sockaddr family fields use the host's byte order,
// the wire uses big-endian. This is the one place that finds out which the
// host is (MIPS ath79 is big-endian, ramips and the rest little-endian).
export const hostLittleEndian: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
