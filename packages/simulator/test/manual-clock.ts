// A clock for the engine that only moves when a test says time passed: thousands of call-flow runs, no waiting.
import type { Scheduler, Timer } from "../src/calls/types.js";

/** A clock that only moves when told: `advance(ms)` runs every timer due by then, earliest first. */
export class ManualClock implements Scheduler {
  now = 0;
  private seq = 0;
  private readonly pending = new Map<Timer, { at: number; seq: number; fn: () => void }>();

  after(ms: number, fn: () => void): Timer {
    const timer = { id: ++this.seq } as unknown as Timer;
    this.pending.set(timer, { at: this.now + Math.max(0, ms), seq: this.seq, fn });
    return timer;
  }

  cancel(timer: Timer): void {
    this.pending.delete(timer);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, running each timer that falls due (timers they set run too, if due). */
  advance(ms: number): void {
    const until = this.now + ms;
    // Bounded: each pass runs one timer; a timer set for "now" by another is due, but time never moves back.
    for (let guard = 0; guard < 100_000; guard++) {
      let next: [Timer, { at: number; seq: number; fn: () => void }] | undefined;
      for (const entry of this.pending) {
        if (
          entry[1].at <= until &&
          (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq))
        )
          next = entry;
      }
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
    }
    this.now = until;
  }
}
