// The one 20 ms clock of every stream: a single pending timer however many streams tick, streams counted from
// the grid, and a stream added while a tick runs does not start a second timer. Driven by hand (time and timers
// are the test's), so it takes no wall time.
import { expect, it } from "vitest";
import type { Timer } from "../src/calls/types.js";
import { FRAME_MS, MediaClock } from "../src/media/clock.js";

function fakeTimers() {
  let now = 0;
  const pending = new Map<Timer, { at: number; fn: () => void }>();
  let seq = 0;
  return {
    now: () => now,
    pending,
    after(ms: number, fn: () => void) {
      const timer = { id: ++seq } as unknown as Timer;
      pending.set(timer, { at: now + ms, fn });
      return timer;
    },
    cancel(timer: Timer | undefined) {
      if (timer) pending.delete(timer);
    },
    /** Moves to `to`, running the timers due (late by `lateMs` each). */
    advance(to: number, lateMs = 0) {
      for (;;) {
        const next = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > to) break;
        pending.delete(next[0]);
        now = next[1].at + lateMs;
        next[1].fn();
      }
      now = Math.max(now, to);
    },
  };
}

it("one timer for every stream; each tick reaches every stream; an empty clock holds no timer", () => {
  const timers = fakeTimers();
  const clock = new MediaClock(timers, timers.now);
  const ticks: number[][] = [[], [], []];
  const sessions = ticks.map((list) => ({ tick: (now: number) => list.push(now) }));
  const starts = sessions.map((s) => clock.add(s));
  expect(starts).toEqual([0, 0, 0]);
  expect(timers.pending.size).toBe(1);
  timers.advance(100);
  expect(ticks.map((t) => t.length)).toEqual([5, 5, 5]);
  expect(timers.pending.size).toBe(1);
  for (const s of sessions) clock.delete(s);
  expect(timers.pending.size).toBe(0);
});

it("a stream added later starts on the grid; one added during a tick adds no second timer", () => {
  const timers = fakeTimers();
  const clock = new MediaClock(timers, timers.now);
  const late = { tick: () => {} };
  let added = false;
  const first = {
    tick: () => {
      if (!added) {
        added = true;
        clock.delete(first);
        expect(clock.add(late)).toBe(FRAME_MS);
      }
    },
  };
  clock.add(first);
  timers.advance(FRAME_MS);
  expect(timers.pending.size).toBe(1);
  timers.advance(10 * FRAME_MS);
  expect(timers.pending.size).toBe(1);
});
