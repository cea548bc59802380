// The router on memoryStore under a burst: 2,000 calls x 5 events arriving together. Waking every waiting
// delivery on every store change made the work grow with the square of those waiting (1,000 x 5 stalled the
// event loop for seconds; 2,000 x 5 lapsed leases and rejected most deliveries). Timing is the bench's job
// (bench/router-scale.ts); these tests count what the fix bounds: how many waits a change ended (wake-ups),
// and how many times deliveries asked the store to enter their call.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryStore, type WebhookEvent, type WebhookStore, Webhooks } from "../../src/node.js";
import { wakeups } from "../../src/router/waits.js";
import { keys } from "./suite.js";

const CALLS = 2000;
const EVENTS_PER_CALL = 5;
/** Deliveries that reach the router in one event-loop turn, as a server reads a burst of requests. */
const BURST = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function callEvent(call: string | undefined, id: string, at: number): WebhookEvent {
  const payload: Record<string, unknown> = { connection_id: "1" };
  if (call !== undefined) payload.call_control_id = call;
  return {
    data: {
      record_type: "event",
      event_type: "call.answered",
      id,
      occurred_at: new Date(Date.UTC(2026, 6, 16) + at).toISOString(),
      payload,
    },
    meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
  } as unknown as WebhookEvent;
}

/** Hands every event to `handle` in bursts of BURST per event-loop turn; resolves with how many rejected. */
function arriveTogether(events: WebhookEvent[], handle: (event: WebhookEvent) => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let rejected = 0;
    let left = events.length;
    const settle = () => {
      if (--left === 0) resolve(rejected);
    };
    let next = 0;
    const burst = () => {
      for (const event of events.slice(next, next + BURST)) {
        handle(event).then(settle, () => {
          rejected++;
          settle();
        });
      }
      next += BURST;
      if (next < events.length) setImmediate(burst);
    };
    burst();
  });
}

/** memoryStore counting `enterCall`s: each is a delivery's first try, a wake-up or a backstop poll. */
function countingStore() {
  const inner = memoryStore();
  // A claim is claimEvent (an event without a call) or claimAndJoin (one with a call, on a store with the
  // combined operations, which memoryStore has).
  const counts = { enterCall: 0, claim: 0 };
  const store = new Proxy(inner, {
    get(target, name: string) {
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (name === "enterCall") counts.enterCall++;
        if (name === "claimEvent" || name === "claimAndJoin") counts.claim++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as WebhookStore;
  return { store, counts };
}

let woken0 = 0;
beforeEach(() => {
  woken0 = wakeups.count;
});
const woken = () => wakeups.count - woken0;
afterEach(() => {
  woken0 = wakeups.count;
});

describe("the router on memoryStore under a burst", () => {
  it("handles 2,000 calls x 5 events arriving together: none rejected, each once and in order, wake-ups linear", {
    timeout: 60_000,
  }, async () => {
    const { store, counts } = countingStore();
    const order = new Map<string, string[]>();
    const running = new Set<string>();
    let overlaps = 0;
    const router = new Webhooks({ publicKey: keys.publicKey }).router({ store }).otherwise(async (event, info) => {
      const call = info.callKey as string;
      if (running.has(call)) overlaps++;
      running.add(call);
      order.set(call, [...(order.get(call) ?? []), event.data.id]);
      // A handler that sends one command: the call's next events wait for it.
      await sleep(1);
      running.delete(call);
    });
    // A call's five events arrive side by side, so four of them wait for the one before.
    const events: WebhookEvent[] = [];
    for (let c = 0; c < CALLS; c++) {
      for (let e = 0; e < EVENTS_PER_CALL; e++) events.push(callEvent(`call-${c}`, `call-${c}-event-${e}`, e));
    }

    const rejected = await arriveTogether(events, router.handle);

    expect(rejected).toBe(0);
    expect(overlaps).toBe(0);
    expect(order.size).toBe(CALLS);
    for (const [call, ids] of order) {
      expect(ids).toEqual(Array.from({ length: EVENTS_PER_CALL }, (_, e) => `${call}-event-${e}`));
    }
    // A leave wakes only the call's next turn: each of a call's four later events is woken once, when its
    // turn comes. Waking every waiter made it millions (each of 10,000 changes woke the thousands waiting).
    expect(woken()).toBeLessThanOrEqual(CALLS * (EVENTS_PER_CALL - 1));
    // ...and those waits did end by a wake-up, not by polling.
    expect(woken()).toBeGreaterThanOrEqual((CALLS * (EVENTS_PER_CALL - 1)) / 2);
    // Asking the store: one try per delivery, one more per wake-up, and a few backstop polls (25 ms and
    // up). Quadratic waking made it about 180 per delivery at this size.
    const deliveries = CALLS * EVENTS_PER_CALL;
    expect(counts.claim).toBe(deliveries);
    expect(counts.enterCall).toBeLessThan(5 * deliveries);
  });

  it("a completion wakes only the copies of its own event", { timeout: 60_000 }, async () => {
    const { store } = countingStore();
    const runs = new Map<string, number>();
    const router = new Webhooks({ publicKey: keys.publicKey }).router({ store }).otherwise(async (event) => {
      runs.set(event.data.id, (runs.get(event.data.id) ?? 0) + 1);
      await sleep(1);
    });
    // 1,000 events without a call, each delivered twice at once: the second copy waits for the first.
    const events = Array.from({ length: 1000 }, (_, i) => callEvent(undefined, `solo-${i}`, i)).flatMap((e) => [e, e]);

    const rejected = await arriveTogether(events, router.handle);

    expect(rejected).toBe(0);
    expect(runs.size).toBe(1000);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    // One waiting copy per event, woken (at most) once by its event's completion; not by the others'.
    expect(woken()).toBeLessThanOrEqual(1000);
    expect(woken()).toBeGreaterThanOrEqual(500);
  });
});
