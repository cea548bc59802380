// What memoryStore does at its bound (maxEntries): it drops what costs no guarantee first (finished calls'
// order records, expired records), and only then done markers still within their doneTtlMs, which it counts
// (stats().evictedDoneMarkers) and reports once (onWarning; through onError for the router's own store).
// Before, done markers went first: past maxEntries calls within doneTtlMs, every duplicate ran again.
import { describe, expect, it, vi } from "vitest";
import { memoryStore, type WebhookEvent, Webhooks } from "../../src/node.js";
import { keys } from "../router/suite.js";

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function callEvent(id: string, call: string | undefined): WebhookEvent {
  const payload: Record<string, unknown> = { connection_id: "1" };
  if (call !== undefined) payload.call_control_id = call;
  return {
    data: { record_type: "event", event_type: "call.answered", id, occurred_at: new Date().toISOString(), payload },
    meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
  } as unknown as WebhookEvent;
}

/** A router on `store` that counts how many times each event ran, and events for finished calls. */
function counted(store = memoryStore({ maxEntries: 1000, onWarning: () => {} })) {
  const runs = new Map<string, number>();
  const router = new Webhooks({ publicKey: keys.publicKey }).router({ store }).otherwise((event) => {
    runs.set(event.data.id, (runs.get(event.data.id) ?? 0) + 1);
  });
  /** `count` calls of one event each, handled one after another: each leaves a done marker and a call record. */
  const finishCalls = async (prefix: string, count: number) => {
    for (let i = 0; i < count; i++) await router.handle(callEvent(`${prefix}-${i}`, `${prefix}-call-${i}`));
  };
  const timesRun = (ids: string[]) => ids.map((id) => runs.get(id) ?? 0);
  return { store, router, finishCalls, timesRun };
}

describe("memoryStore at maxEntries", () => {
  it("drops finished calls' order records before any done marker: every duplicate within doneTtlMs runs zero times", async () => {
    const onWarning = vi.fn();
    const { store, router, finishCalls, timesRun } = counted(memoryStore({ maxEntries: 1000, onWarning }));
    // 600 finished calls of one event: 600 done markers + 600 call records = 1,200 records, past the bound.
    await finishCalls("e", 600);
    const ids = Array.from({ length: 600 }, (_, i) => `e-${i}`);
    for (const id of ids) await router.handle(callEvent(id, `again-${id}`));
    expect(timesRun(ids).every((n) => n === 1)).toBe(true);
    expect(store.size).toBeLessThanOrEqual(1000);
    expect(store.stats()).toMatchObject({ doneMarkers: 600, evictedDoneMarkers: 0 });
    expect(store.stats().evictedCalls).toBeGreaterThanOrEqual(200);
    expect(onWarning).not.toHaveBeenCalled();
  });

  it("filled past the bound with finished calls, still runs duplicates of recent events once", async () => {
    const { store, router, finishCalls, timesRun } = counted();
    // 5,000 finished calls: five times the bound in call records alone.
    await finishCalls("old", 5000);
    const recent = Array.from({ length: 10 }, (_, i) => `recent-${i}`);
    // Ten new events, then a copy of each (Telnyx redelivering them): each runs once.
    for (const id of recent) await router.handle(callEvent(id, `call-of-${id}`));
    for (const id of recent) await router.handle(callEvent(id, `call-of-${id}`));
    expect(timesRun(recent)).toEqual(recent.map(() => 1));
    // The markers kept are the newest (the bound allows ~1,000): the last 900 old events are still deduped.
    const lastOld = Array.from({ length: 900 }, (_, i) => `old-${4999 - i}`);
    for (const id of lastOld) await router.handle(callEvent(id, `call-${id}`));
    expect(timesRun(lastOld).every((n) => n === 1)).toBe(true);
    expect(store.size).toBeLessThanOrEqual(1000);
  });

  it("never drops a call that finished and was joined again: it is in progress", async () => {
    const store = memoryStore({ maxEntries: 1000, onWarning: () => {} });
    const first = { callKey: "again", eventId: "first", owner: "o", occurredAtMs: 1 };
    await store.joinCall(first, 60_000, 3_600_000);
    await store.enterCall(first, 60_000);
    await store.leaveCall(first, true, 3_600_000);
    const second = { callKey: "again", eventId: "second", owner: "o", occurredAtMs: 2 };
    await store.joinCall(second, 60_000, 3_600_000);
    // 3,000 finished calls after it: the bound drops finished calls, oldest first, and "again" is the oldest.
    for (let i = 0; i < 3000; i++) {
      const turn = { callKey: `c${i}`, eventId: `e${i}`, owner: "o", occurredAtMs: 1 };
      await store.joinCall(turn, 60_000, 3_600_000);
      await store.leaveCall(turn, true, 3_600_000);
    }
    expect(store.stats().evictedCalls).toBeGreaterThanOrEqual(2000);
    expect(await store.enterCall(second, 60_000)).toEqual({ entered: true, late: false });
  });

  it("warns once, and counts, when done markers within their doneTtlMs must go", async () => {
    const onWarning = vi.fn();
    const store = memoryStore({ maxEntries: 1000, onWarning });
    for (let i = 0; i < 1000; i++) {
      await store.claimEvent(`e${i}`, "o", 60_000);
      await store.completeEvent(`e${i}`, "o", 3_600_000);
    }
    expect(onWarning).not.toHaveBeenCalled();
    expect(store.stats().evictedDoneMarkers).toBe(0);
    for (let i = 1000; i < 1500; i++) {
      await store.claimEvent(`e${i}`, "o", 60_000);
      await store.completeEvent(`e${i}`, "o", 3_600_000);
    }
    expect(onWarning).toHaveBeenCalledTimes(1);
    const warning = onWarning.mock.calls[0]?.[0] as Error;
    expect(warning).toBeInstanceOf(Error);
    expect(warning.message).toMatch(/maxEntries \(1000\).*done markers within doneTtlMs.*handled again/);
    expect(warning.message).toMatch(/evictedDoneMarkers/);
    // Each claim briefly adds a record; every completion past the bound then drops one marker.
    expect(store.size).toBe(1000);
    expect(store.stats()).toEqual({ doneMarkers: 1000, evictedDoneMarkers: 500, evictedCalls: 0 });
    // The oldest went (a "done" answer writes nothing, so ask it first: a claim adds a record).
    expect(await store.claimEvent("e500", "p", 60_000)).toBe("done");
    expect(await store.claimEvent("e499", "p", 60_000)).toBe("claimed");
  });

  it("drops expired done markers silently: they cost no guarantee", async () => {
    const onWarning = vi.fn();
    const store = memoryStore({ maxEntries: 1000, onWarning });
    for (let i = 0; i < 1000; i++) {
      await store.claimEvent(`short${i}`, "o", 60_000);
      await store.completeEvent(`short${i}`, "o", 50);
    }
    await pause(150);
    for (let i = 0; i < 1000; i++) {
      await store.claimEvent(`e${i}`, "o", 60_000);
      await store.completeEvent(`e${i}`, "o", 3_600_000);
    }
    expect(onWarning).not.toHaveBeenCalled();
    expect(store.stats().evictedDoneMarkers).toBe(0);
  });

  it("a throwing onWarning does not fail the completion that triggered it", async () => {
    const store = memoryStore({
      maxEntries: 1000,
      onWarning: () => {
        throw new Error("logger down");
      },
    });
    for (let i = 0; i < 1001; i++) {
      await store.claimEvent(`e${i}`, "o", 60_000);
      await expect(store.completeEvent(`e${i}`, "o", 3_600_000)).resolves.toBe(true);
    }
    expect(store.stats().evictedDoneMarkers).toBe(1);
  });

  it("refuses an onWarning that is not a function", () => {
    expect(() => memoryStore({ onWarning: "console" as unknown as () => void })).toThrow(
      /onWarning.*must be a function/,
    );
  });

  it("the router's own store reports the warning through Webhooks' onError", { timeout: 60_000 }, async () => {
    const onError = vi.fn();
    const router = new Webhooks({ publicKey: keys.publicKey, onError }).router().otherwise(() => {});
    // The default bound is 100,000 records: events without a call leave one done marker each.
    for (let i = 0; i < 100_000; i++) await router.handle(callEvent(`e${i}`, undefined));
    expect(onError).not.toHaveBeenCalled();
    for (let i = 100_000; i < 100_010; i++) await router.handle(callEvent(`e${i}`, undefined));
    expect(onError).toHaveBeenCalledTimes(1);
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/memoryStore: maxEntries \(100000\)/);
  });
});
