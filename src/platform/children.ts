// Child processes the daemon waits for (tracker scripts), reaped on
// SIGCHLD. Each is reaped by its own pid, so the hook runner
// (src/integrations/hotplug.ts), which reaps its own, is never disturbed.
import { type ChildExit, sys, waitChild, watchReadable } from "./engine";

export class Children {
  private readonly waiting = new Map<number, ((e: ChildExit) => void) | null>();

  /** Calls `onExit` once the child has ended. */
  watch(pid: number, onExit: (e: ChildExit) => void): void {
    this.waiting.set(pid, onExit);
  }

  /** Still reaps the child, but tells no one (it was killed on purpose). */
  forget(pid: number): void {
    if (this.waiting.has(pid)) this.waiting.set(pid, null);
  }

  /** On SIGCHLD: reaps every watched child that has ended. */
  reap(): void {
    for (const [pid, onExit] of [...this.waiting]) {
      const e = waitChild(pid);
      if (e === null) continue;
      this.waiting.delete(pid);
      onExit?.(e);
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
