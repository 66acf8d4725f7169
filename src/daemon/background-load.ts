// Reads /etc/config/floatgw for a reload in a child process (`floatgwd
// check --json`, the same code as the start), so that the event loop goes on
// sending adverts and answering requests however long reading takes: 10^4
// sections take about a second in QuickJS (docs/robustness.md). The child
// writes its JSON to a new file in the run directory, read back once it
// has exited. Only one child runs at a time: asking while one reads gets a
// fresh read after it (the newest file wins), and everyone asking is
// answered once theirs is done.
import { readCheckJson } from "../config/check";
import { loadConfig } from "../config/load";
import { problem } from "../config/problems";
import type { ValidationResult } from "../config/validate";
import type { Children } from "../platform/children";
import { after, executablePath, killHard, readTextFile, removeFile, spawnWithOutput } from "../platform/engine";

/** Far beyond what the largest file takes (10^4 sections: about a second on x86, some more on a router). */
const READ_TIMEOUT_MS = 60_000;

function failed(why: string): ValidationResult {
  return { config: null, errors: [problem({ section: null }, why)], warnings: [] };
}

export class BackgroundLoad<R> {
  private reading = false;
  /** Who waits for the read now running. */
  private current: ((result: R) => void)[] = [];
  /** Who asked while it ran. */
  private next: ((result: R) => void)[] = [];

  /** `use` turns each read into what the askers get (it applies a reload). */
  constructor(
    private readonly configPath: string,
    private readonly outputPath: string,
    private readonly children: Children,
    private readonly use: (read: ValidationResult) => R,
  ) {}

  /** Whether a read runs now (for the log). */
  get busy(): boolean {
    return this.reading;
  }

  request(done: (result: R) => void): void {
    if (this.reading) this.next.push(done);
    else this.start([done]);
  }

  private start(waiting: ((result: R) => void)[]): void {
    this.reading = true;
    this.current = waiting;
    const self = executablePath();
    if (self === null) {
      // Nothing to start (no /proc, started by a relative name): read it here, on the event loop.
      const text = readTextFile(this.configPath);
      this.finish(text === null ? failed(`cannot read ${this.configPath}`) : loadConfig(text));
      return;
    }
    removeFile(this.outputPath);
    const pid = spawnWithOutput([self, "check", "--json", this.configPath], {}, this.outputPath);
    if (pid < 0) {
      this.finish(failed(`cannot start reading ${this.configPath} (error ${-pid})`));
      return;
    }
    // A reader that hangs must not hold every later reload up.
    const cancel = after(READ_TIMEOUT_MS, () => {
      this.children.forget(pid);
      killHard(pid);
      removeFile(this.outputPath);
      this.finish(failed(`reading ${this.configPath} took over ${READ_TIMEOUT_MS / 1000} s`));
    });
    this.children.watch(pid, (e) => {
      cancel();
      const text = readTextFile(this.outputPath);
      removeFile(this.outputPath);
      if (e.code !== 0 || text === null) {
        this.finish(failed(`reading ${this.configPath} failed (${e.code !== null ? `exit status ${e.code}` : `signal ${e.signal}`})`));
        return;
      }
      let read: ValidationResult;
      try {
        read = readCheckJson(text);
      } catch (err) {
        read = failed(`reading ${this.configPath} gave no result: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.finish(read);
    });
  }

  private finish(read: ValidationResult): void {
    const waiting = this.current;
    this.reading = false;
    this.current = [];
    const result = this.use(read);
    for (const done of waiting) done(result);
    if (this.next.length > 0) {
      const next = this.next;
      this.next = [];
      this.start(next);
    }
  }
}
