// What a transition sets off besides the VIPs can wait until every
// transition that one event causes is done: a sync group member going
// master takes the others with it (sync-groups.ts), and their VIPs go on
// back to back. Then, phase by phase, every member's work in the order it
// came: the routes that follow the VIPs (`routes`); each new master's
// gratuitous ARPs, advert and log line (`announcements`: one instance's
// still in the core's order, runner.ts); its state file, ubus, hooks,
// notify scripts and mail, and the group's (`effects`). Work handed to
// `once` runs after all of that, once however often it was handed: the
// state file, written once per batch.

/** The phases of a batch, in the order they run. */
export type Phase = "routes" | "announcements" | "effects";
const PHASES: readonly Phase[] = ["routes", "announcements", "effects"];

type Work = () => void;

export class AfterTransitions {
  private pending: { phases: Record<Phase, Work[]>; once: Set<Work> } | null = null;

  /** Runs `transitions`; whatever it hands to `at` and `once` runs when
   * it ends (when the outermost of nested calls ends), phase by phase,
   * each phase's work in the order handed, then `once`'s. */
  run(transitions: Work): void {
    if (this.pending !== null) {
      transitions();
      return;
    }
    const pending = { phases: { routes: [], announcements: [], effects: [] } as Record<Phase, Work[]>, once: new Set<Work>() };
    this.pending = pending;
    try {
      transitions();
    } finally {
      this.pending = null;
      // Work handed over by this work runs at once.
      for (const phase of PHASES) for (const work of pending.phases[phase]) work();
      for (const work of pending.once) work();
    }
  }

  /** Runs `work` in `phase` once the transitions under way are done, or now if none is. */
  at(phase: Phase, work: Work): void {
    if (this.pending === null) work();
    else this.pending.phases[phase].push(work);
  }

  /** Runs `work` once the transitions under way are done, after every
   * phase, and once however often it is handed (the same function);
   * now if none is under way. */
  once(work: Work): void {
    if (this.pending === null) work();
    else this.pending.once.add(work);
  }
}
