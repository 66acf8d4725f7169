// Reads a tar archive's headers as they are stored, so a test can check
// exactly what ipkg-build's `tar --format=gnu --numeric-owner` would write:
// names, modes, numeric owners, empty owner names, one mtime, GNU magic.
import { gunzipSync } from "node:zlib";

export interface TarMember {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** "0" file, "2" symlink, "5" directory. */
  type: string;
  linkname: string;
  magic: string;
  uname: string;
  gname: string;
  data: Buffer;
}

const text = (b: Buffer, off: number, len: number): string => {
  const s = b.subarray(off, off + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString("latin1");
};
const octal = (b: Buffer, off: number, len: number): number => parseInt(text(b, off, len).trim() || "0", 8);

export function readTar(archive: Buffer): TarMember[] {
  const members: TarMember[] = [];
  for (let off = 0; off + 512 <= archive.length;) {
    const h = archive.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const size = octal(h, 124, 12);
    members.push({
      name: text(h, 0, 100), mode: octal(h, 100, 8), uid: octal(h, 108, 8), gid: octal(h, 116, 8), size,
      mtime: octal(h, 136, 12), type: text(h, 156, 1) || "0", linkname: text(h, 157, 100),
      magic: h.subarray(257, 265).toString("latin1"), uname: text(h, 265, 32), gname: text(h, 297, 32),
      data: archive.subarray(off + 512, off + 512 + size),
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

/** A gzipped tar: its gzip header must be `gzip -n`'s (no name, no time). */
export function readTarGz(file: Buffer): TarMember[] {
  if (file[0] !== 0x1f || file[1] !== 0x8b) throw new Error("not gzip");
  if (file[3] !== 0) throw new Error(`gzip flags ${file[3]}: a name or comment is stored`);
  if (file.readUInt32LE(4) !== 0) throw new Error("gzip header carries a time stamp");
  return readTar(gunzipSync(file));
}
