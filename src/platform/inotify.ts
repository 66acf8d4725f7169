// inotify's side of waiting for a path to appear, as pure functions: the
// events a read of an inotify descriptor gives (struct inotify_event of
// linux/inotify.h: wd, mask, cookie and len as 32-bit words in host byte
// order, then len bytes of NUL-padded name) and the directories to watch
// on the way to a path that does not exist yet.
import { hostLittleEndian as LE } from "./hostorder";

export interface InotifyEvent {
  /** The watch it is about (-1 for IN_Q_OVERFLOW). */
  readonly wd: number;
  readonly mask: number;
  /** The entry's name in the watched directory, as bytes (file names need
   * not be UTF-8); empty for an event about the directory itself. */
  readonly name: Uint8Array;
}

const HEADER = 16;

/** The events in what one read returned (the kernel returns whole events;
 * a short tail, which it never sends, is ignored). */
export function parseInotifyEvents(bytes: Uint8Array): InotifyEvent[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events: InotifyEvent[] = [];
  let at = 0;
  while (at + HEADER <= bytes.length) {
    const len = view.getUint32(at + 12, LE);
    if (at + HEADER + len > bytes.length) break;
    const raw = bytes.subarray(at + HEADER, at + HEADER + len);
    const nul = raw.indexOf(0);
    events.push({ wd: view.getInt32(at, LE), mask: view.getUint32(at + 4, LE), name: nul < 0 ? raw : raw.subarray(0, nul) });
    at += HEADER + len;
  }
  return events;
}

/** A directory to watch for the creation of `name` in it. */
export interface WatchPlace {
  readonly dir: string;
  readonly name: string;
}

/** Where to wait for `path`: its own directory, watched for its name, then
 * each ancestor, watched for the next directory down, nearest first. The
 * first of these that exists is the one to watch. */
export function watchPlaces(path: string): WatchPlace[] {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  const absolute = path.startsWith("/");
  const places: WatchPlace[] = [];
  for (let i = parts.length - 1; i >= 0; i--) {
    const dir = parts.slice(0, i).join("/");
    places.push({ dir: absolute ? `/${dir}` : dir || ".", name: parts[i] as string });
  }
  return places;
}
