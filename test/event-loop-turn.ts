// A turn of the event loop after every system test. vitest 3's worker sends
// the runner its tests' progress over an RPC whose reply must come within
// 60 s, and it reads replies only when its event loop turns; between tests
// it awaits nothing but promises, so a file of synchronous tests (commands
// run with spawnSync) that together pass a minute fails the run with
// `Timeout calling "onTaskUpdate"` although every test passed. A test that
// runs a long command on its own uses mustAsync (test/netns/lab.ts).
import { afterEach } from "vitest";

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
