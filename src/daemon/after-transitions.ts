// What a transition sets off besides the VIPs (the virtual routes that
// follow them, the state file, ubus, hooks, notify scripts, mail) can wait
// until every transition that one event causes is done: a sync group
// member going master takes the others with it (sync-groups.ts), and their
// VIPs go on back to back rather than each after the previous member's
// routes, state file and hook fork. Then the routes go in, every member's
// (`first`), then the rest runs in the order it came: a member's hooks,
// the next member's, the group's.

export class AfterTransitions {
  private pending: { first: (() => void)[]; later: (() => void)[] } | null = null;

  /** Runs `transitions`; whatever it hands to `first` and `later` runs when
   * it ends (when the outermost of nested calls ends): all of `first`'s
   * work, then `later`'s, each in the order handed. */
  run(transitions: () => void): void {
    if (this.pending !== null) {
      transitions();
      return;
    }
    const pending = { first: [] as (() => void)[], later: [] as (() => void)[] };
    this.pending = pending;
    try {
      transitions();
    } finally {
      this.pending = null;
      // Work handed over by this work runs at once.
      for (const work of [...pending.first, ...pending.later]) work();
    }
  }

  /** Runs `work` once the transitions under way are done, before any
   * `later` work, or now if none is under way. */
  first(work: () => void): void {
    if (this.pending === null) work();
    else this.pending.first.push(work);
  }

  /** Runs `work` once the transitions under way are done, or now if none is. */
  later(work: () => void): void {
    if (this.pending === null) work();
    else this.pending.later.push(work);
  }
}
