// Waiting for a path to appear (a unix socket bound there, a file created
// or moved there) without polling: one inotify watch on its directory, or,
// while that directory does not exist, on the nearest ancestor that does,
// moved down as the directories appear. The owner is told whenever the
// path may have appeared and looks for itself (a connect, a stat): an
// event is a hint, never the answer, so a missed or extra one costs a look.
import { utf8Bytes } from "../leases/sha256";
import { sameBytes } from "../core/bytes";
import { parseInotifyEvents, watchPlaces, type WatchPlace } from "./inotify";
import { C, isSyscallError, sys, watchReadable } from "./engine";

/** Room for several events; one needs 16 bytes + NAME_MAX + 1. */
const READ_BUFFER = 4096;

export interface PathWatchOwner {
  /** The path may be there now: look. */
  mayHaveAppeared(): void;
  /** Watching failed on the way (the watch is closed): poll instead. */
  failed(error: unknown): void;
}

export class PathWatch {
  private readonly fd: number;
  private readonly places: readonly WatchPlace[];
  private readonly buffer = new Uint8Array(READ_BUFFER);
  private wd = -1;
  /** The place watched now, and its name as the kernel reports it. */
  private place: WatchPlace | null = null;
  private placeName = new Uint8Array(0);

  /** Watches at once; throws the syscall error when inotify cannot be used
   * (a kernel without it, fs.inotify.max_user_watches reached, no access). */
  constructor(readonly path: string, private readonly owner: PathWatchOwner) {
    this.places = watchPlaces(path);
    this.fd = sys.inotifyInit();
    try {
      this.settle();
    } catch (e) {
      sys.close(this.fd);
      throw e;
    }
    watchReadable(this.fd, () => this.readable());
  }

  close(): void {
    watchReadable(this.fd, null);
    sys.close(this.fd);
  }

  /** Watches the deepest place that exists (its events: the name created,
   * moved in or changed; the directory itself deleted or moved away). */
  private settle(): void {
    if (this.wd >= 0) this.forget();
    const last = this.places[0];
    for (const place of this.places) {
      const mask = C.IN_CREATE | C.IN_MOVED_TO | C.IN_DELETE_SELF | C.IN_MOVE_SELF | C.IN_ONLYDIR | (place === last ? C.IN_ATTRIB : 0);
      try {
        this.wd = sys.inotifyAddWatch(this.fd, place.dir, mask);
      } catch (e) {
        if (isSyscallError(e) && (e.errno === C.ENOENT || e.errno === C.ENOTDIR)) continue;
        throw e;
      }
      this.place = place;
      this.placeName = utf8Bytes(place.name);
      return;
    }
    throw new Error(`no directory on the way to ${this.path} exists`);
  }

  /** Drops the current watch (already gone when its directory was deleted). */
  private forget(): void {
    try {
      sys.inotifyRmWatch(this.fd, this.wd);
    } catch {
      // EINVAL: the kernel removed it with its directory.
    }
    this.wd = -1;
  }

  private readable(): void {
    let hint = false;
    try {
      let moved = false;
      for (let n = sys.read(this.fd, this.buffer); n > 0; n = sys.read(this.fd, this.buffer)) {
        for (const e of parseInotifyEvents(this.buffer.subarray(0, n))) {
          if (e.mask & C.IN_Q_OVERFLOW) moved = true; // events were lost: start over
          if (e.wd !== this.wd) continue; // a watch dropped before its events were read
          if (e.mask & (C.IN_DELETE_SELF | C.IN_MOVE_SELF | C.IN_IGNORED)) moved = true;
          else if (e.name.length === this.placeName.length && sameBytes(e.name, 0, this.placeName, 0, e.name.length)) {
            hint = true;
            if (this.place !== this.places[0]) moved = true;
          }
        }
      }
      // A directory on the way appeared or went (or events were lost):
      // watch where the path now ends, and look, since what it awaits may
      // be there already.
      if (moved) {
        this.settle();
        hint = true;
      }
    } catch (e) {
      this.close();
      this.owner.failed(e);
      return;
    }
    if (hint) this.owner.mayHaveAppeared();
  }
}
