// What a transition sets off besides the VIPs (the virtual routes that
// follow them, the state file, ubus, hooks, notify scripts, mail) can wait
// until every transition that one event causes is done: a sync group
// member going master takes the others with it (sync-groups.ts), and their
// VIPs go on back to back rather than each after the previous member's
// routes, state file and hook fork. The work keeps its order: a member's
// routes and hooks, the next member's, then the group's.

export class AfterTransitions {
  private pending: (() => void)[] | null = null;

  /** Runs `transitions`; whatever it hands to `later` runs when it ends
   * (when the outermost of nested calls ends), in the order handed. */
  run(transitions: () => void): void {
    if (this.pending !== null) {
      transitions();
      return;
    }
    const pending: (() => void)[] = [];
    this.pending = pending;
    try {
      transitions();
    } finally {
      this.pending = null;
      // Indexed: work done here may queue more (a hook's effects), which
      // then runs at once, after this batch's earlier work.
      for (let i = 0; i < pending.length; i++) (pending[i] as () => void)();
    }
  }

  /** Runs `work` once the transitions under way are done, or now if none is. */
  later(work: () => void): void {
    if (this.pending === null) work();
    else this.pending.push(work);
  }
}
