// What the far ends heard is bounded per call (the last two minutes) and across calls (MAX_HEARD_TOTAL_BYTES), the
// calls that heard first losing their oldest audio first; a forgotten call's audio leaves the budget. An app that
// does not read its socket makes the simulator drop frames rather than buffer them (a socket stand-in whose
// unsent byte count the test sets: filling a real one takes over a minute of media).
import { describe, expect, it } from "vitest";
import { readStream } from "../src/calls/media-settings.js";
import { realTimers } from "../src/calls/scheduler.js";
import { CallEngine } from "../src/calls/state-machine.js";
import type { StreamConnector } from "../src/calls/stream-socket.js";
import { Heard, HeardBudget, MAX_HEARD_MS } from "../src/media/heard.js";
import { MAX_SOCKET_BUFFER_BYTES } from "../src/media/session.js";

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

describe("an app that does not read its socket", () => {
  it("gets no more media frames past 1 MiB unsent, and no frame at all past 4 MiB; said once", async () => {
    const sent: string[] = [];
    const warnings: string[] = [];
    let buffered = 0;
    const connector: StreamConnector = (_url, _headers, e) => {
      queueMicrotask(() => e.open());
      return {
        send: (text) => sent.push(text),
        get bufferedAmount() {
          return buffered;
        },
        close: () => e.closed(),
        terminate: () => e.closed(),
      };
    };
    const engine = new CallEngine(TIMING, { onEvent() {}, warn: (m) => warnings.push(m) }, realTimers, connector);
    try {
      const call = engine.create({
        direction: "incoming",
        from: "+13125550142",
        to: "+13125550100",
        connectionId: "c",
        webhookUrl: "http://127.0.0.1:9/webhooks",
      });
      engine.answer(call, {});
      const id = engine.streams.start(call, readStream({ stream_url: "ws://127.0.0.1:9/media" })!);
      const session = call.streams.get(id)!.session;
      const media = () => sent.filter((t) => t.includes('"event":"media"')).length;
      await until(() => media() >= 3);
      buffered = MAX_SOCKET_BUFFER_BYTES + 1;
      const before = media();
      await sleep(100);
      expect(media()).toBeLessThanOrEqual(before + 1);
      expect(session.stats.mediaFramesDropped).toBeGreaterThan(0);
      engine.pressDigits(call, "1");
      expect(sent.filter((t) => t.includes('"event":"dtmf"'))).toHaveLength(1);
      buffered = 4 * MAX_SOCKET_BUFFER_BYTES + 1;
      engine.pressDigits(call, "2");
      expect(sent.filter((t) => t.includes('"event":"dtmf"'))).toHaveLength(1);
      expect(session.stats.framesDropped).toBe(1);
      expect(warnings.filter((w) => w.includes("not reading"))).toHaveLength(2);
    } finally {
      engine.stop();
    }
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(5);
  }
}

const TIMING = {
  answerDelayMs: 10,
  mediaDurationMs: 10,
  maxGatherWaitMs: 100,
  inboundRingTimeoutMs: 10_000,
  endedCallRetentionMs: 10_000,
  machineDetectionMs: 10,
  machineGreetingMs: 10,
  recordingSavedDelayMs: 10,
  streamConnectTimeoutMs: 1000,
};
