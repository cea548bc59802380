// What only the memory store promises: a bounded size, expired records dropped as writes come, and change
// notifications, naming what changed, for immediate wake-ups on one process.
import { describe, expect, it } from "vitest";
import { memoryStore } from "../../src/store/memory.js";

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("memoryStore", () => {
  it("never holds more than maxEntries records: the oldest done markers go first", async () => {
    const store = memoryStore({ maxEntries: 1000 });
    for (let i = 0; i < 5000; i++) {
      await store.claimEvent(`e${i}`, "o", 60_000);
      await store.completeEvent(`e${i}`, "o", 3_600_000);
      expect(store.size).toBeLessThanOrEqual(1000);
    }
    // The newest markers survive; the oldest were dropped to make room.
    expect(await store.claimEvent("e4999", "p", 60_000)).toBe("done");
    expect(await store.claimEvent("e0", "p", 60_000)).toBe("claimed");
  });

  it("drops expired records as writes come, so a quiet store shrinks back", async () => {
    const store = memoryStore();
    for (let i = 0; i < 500; i++) {
      await store.claimEvent(`e${i}`, "o", 50);
      await store.completeEvent(`e${i}`, "o", 50);
      await store.joinCall({ callKey: `c${i}`, eventId: `e${i}`, owner: "o", occurredAtMs: i }, 50, 50);
      await store.reserve(`k${i}`, 50);
    }
    expect(store.size).toBeGreaterThanOrEqual(1500);
    await pause(200);
    await store.claimEvent("next", "o", 60_000);
    expect(store.size).toBe(1);
  });

  it("keeps claims and calls in progress when over maxEntries", async () => {
    const store = memoryStore({ maxEntries: 1000 });
    await store.claimEvent("held", "o", 60_000);
    const turn = { callKey: "busy-call", eventId: "held", owner: "o", occurredAtMs: 1 };
    await store.joinCall(turn, 60_000, 3_600_000);
    for (let i = 0; i < 3000; i++) {
      await store.claimEvent(`e${i}`, "o", 60_000);
      await store.completeEvent(`e${i}`, "o", 3_600_000);
    }
    expect(await store.claimEvent("held", "other", 60_000)).toBe("busy");
    expect(await store.enterCall(turn, 60_000)).toEqual({ entered: true, late: false });
  });

  it("tells listeners what changed: the event completed or released, the call's next turn; nothing else", async () => {
    const store = memoryStore();
    const changes: unknown[] = [];
    const unsubscribe = store.onChange((change) => changes.push(change));
    await store.claimEvent("a", "o", 60_000);
    await pause(0);
    expect(changes).toEqual([]);
    await store.completeEvent("a", "o", 60_000);
    await store.claimEvent("b", "o", 60_000);
    await store.releaseEvent("b", "o");
    // Three turns of call c: when the first leaves, only the second may enter, so only it is named.
    const turn = (eventId: string, occurredAtMs: number) => ({ callKey: "c", eventId, owner: "o", occurredAtMs });
    for (const [id, at] of [
      ["t1", 1],
      ["t2", 2],
      ["t3", 3],
    ] as const) {
      await store.joinCall(turn(id, at), 60_000, 60_000);
    }
    await store.enterCall(turn("t1", 1), 60_000);
    await store.leaveCall(turn("t1", 1), true, 60_000);
    // A leave that leaves no one pending lets no one go on: nothing to tell.
    await store.leaveCall({ callKey: "empty", eventId: "x", owner: "o", occurredAtMs: 1 }, false, 60_000);
    await pause(0);
    expect(changes).toEqual([{ eventId: "a" }, { eventId: "b" }, { callKey: "c", eventId: "t2" }]);
    unsubscribe();
    await store.completeEvent("b", "o", 60_000);
    await pause(0);
    expect(changes).toHaveLength(3);
  });

  it("refuses a maxEntries out of range, saying the range", () => {
    expect(() => memoryStore({ maxEntries: 10 })).toThrow(/maxEntries.*from 1000 to 10000000.*got 10/);
    expect(() => memoryStore({ maxEntries: 1.5e3 + 0.5 })).toThrow(RangeError);
    expect(() => memoryStore({ maxEntries: undefined }).size).not.toThrow();
  });
});
