// What the far ends heard is bounded per call (the last two minutes) and across calls (MAX_HEARD_TOTAL_BYTES), the
// calls that heard first losing their oldest audio first; a forgotten call's audio leaves the budget.
import { expect, it } from "vitest";
import { Heard, HeardBudget, MAX_HEARD_MS } from "../src/media/heard.js";

it("one call keeps its last MAX_HEARD_MS, and says how much went before", () => {
  const heard = new Heard(new HeardBudget());
  const second = new Int16Array(8000).fill(7);
  for (let s = 0; s < MAX_HEARD_MS / 1000 + 3; s++) heard.append(second, 8000);
  const read = heard.read();
  expect(read.ms).toBe(MAX_HEARD_MS);
  expect(read.droppedMs).toBe(3000);
});

it("all calls together stay within the budget: the oldest audio of the first calls goes first", () => {
  const budget = new HeardBudget(6000); // bytes: 3000 samples
  const first = new Heard(budget);
  const second = new Heard(budget);
  first.append(new Int16Array(800).fill(1), 8000);
  first.append(new Int16Array(800).fill(2), 8000);
  second.append(new Int16Array(800).fill(3), 8000);
  expect(budget.bytes).toBe(4800);
  second.append(new Int16Array(800).fill(4), 8000);
  // 6400 bytes > 6000: the first call's oldest chunk went.
  expect(budget.bytes).toBe(4800);
  expect(first.read()).toMatchObject({ ms: 100, droppedMs: 100 });
  expect(first.read().pcm.every((s) => s === 2)).toBe(true);
  expect(second.read()).toMatchObject({ ms: 200, droppedMs: 0 });
  first.release();
  expect(budget.bytes).toBe(3200);
  expect(budget.owners.has(first)).toBe(false);
});
