// Child processes the daemon waits for (tracker scripts), reaped on
// SIGCHLD. Each is reaped by its own pid, so the hook runner
// (src/integrations/hotplug.ts), which reaps its own, is never disturbed.
import { type ChildExit, sys, waitChildOrStop, watchReadable } from "./engine";

interface Waiting {
  readonly onExit: ((e: ChildExit) => void) | null;
  readonly onStop: (() => void) | null;
}

export class Children {
  private readonly waiting = new Map<number, Waiting>();

  /** Calls `onExit` once the child has ended, and `onStop` (if given)
   * whenever it was stopped: the kernel's SIGCHLD tells of both, so a
   * stopped helper is found out without a look of the daemon's own. */
  watch(pid: number, onExit: (e: ChildExit) => void, onStop: (() => void) | null = null): void {
    this.waiting.set(pid, { onExit, onStop });
  }

  /** Still reaps the child, but tells no one (it was killed on purpose). */
  forget(pid: number): void {
    if (this.waiting.has(pid)) this.waiting.set(pid, { onExit: null, onStop: null });
  }

  /** On SIGCHLD: reaps every watched child that has ended, and tells of
   * those stopped. */
  reap(): void {
    for (const [pid, w] of [...this.waiting]) {
      const e = waitChildOrStop(pid, w.onStop !== null);
      if (e === null) continue;
      if (e === "stopped") {
        w.onStop?.();
        continue;
      }
      this.waiting.delete(pid);
      w.onExit?.(e);
    }
  }
}

/** Ends the daemon's side of a helper child's socket pair (the dead-man
 * switch's watcher, the backups' listener): stops reading it, sends the
 * child its last message, closes it. The child may have gone already. */
export function closeChannel(fd: number, last: Uint8Array): void {
  watchReadable(fd, null);
  try {
    sys.sendto(fd, last, null);
  } catch {
    // EPIPE: it ended already (reaped through Children).
  }
  sys.close(fd);
}
