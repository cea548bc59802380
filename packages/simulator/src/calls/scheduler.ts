// The engine's clock: real timers. The state machine's model-based test gives the engine a manual clock instead
// (test/manual-clock.ts), so thousands of runs take no wall time.
import type { Scheduler, Timer } from "./types.js";

export const realTimers: Scheduler = {
  after: (ms, fn) => setTimeout(fn, ms) as unknown as Timer,
  cancel: (timer) => clearTimeout(timer as unknown as NodeJS.Timeout),
};
