// What the router does besides the shared guarantees: its options, its default store, events it cannot
// dedupe or order, a store that fails, `handle` called directly, and 503 through Express.
import { createServer } from "node:http";
import express from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  memoryStore,
  type RouterOptions,
  WebhookBusyError,
  type WebhookEvent,
  type WebhookStore,
  Webhooks,
} from "../../src/node.js";
import { wakeups } from "../../src/router/waits.js";
import { listen } from "../http-helpers.js";
import { deliverTo, eventBody, keys } from "./suite.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function webhooks(onError: (error: unknown) => void = vi.fn()) {
  return new Webhooks({ publicKey: keys.publicKey, onError });
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const { url, close } = await listen(createServer(handler));
  closers.push(close);
  return url;
}

const event = (spec: Parameters<typeof eventBody>[0] = {}) => JSON.parse(eventBody(spec).body) as WebhookEvent;

/** The combined operations (claim and join in one step, ...): a store has all of them or none. */
const COMBINED = ["claimAndJoin", "completeAndLeave", "releaseAndLeave", "renewHeld"];

/**
 * A memoryStore whose named operations throw, counting every call. `combined: false` hides its combined
 * operations, as a store without them (the router then claims, joins, completes and leaves one by one).
 */
function faultyStore(failing: Partial<Record<keyof WebhookStore, number>> = {}, { combined = true } = {}) {
  const inner = memoryStore();
  const calls: string[] = [];
  const left = { ...failing };
  const store = new Proxy(inner, {
    get(target, name: string) {
      if (!combined && COMBINED.includes(name)) return undefined;
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(name);
        const remaining = left[name as keyof WebhookStore];
        if (remaining !== undefined && remaining > 0) {
          left[name as keyof WebhookStore] = remaining - 1;
          return Promise.reject(new Error(`store down (${name})`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

/** The store's operation for claiming and for completing an event with a call, with and without the combined ones. */
const SHAPES = [
  { label: "with the combined operations", combined: true, claim: "claimAndJoin", complete: "completeAndLeave" },
  { label: "without them", combined: false, claim: "claimEvent", complete: "completeEvent" },
] as const;

describe("router options", () => {
  const bad: Array<[string, RouterOptions, RegExp]> = [
    ["a negative window", { reorderWindowMs: -1 }, /reorderWindowMs.*from 0 to 60000.*got -1/],
    ["a string lease", { leaseMs: "10s" as unknown as number }, /leaseMs.*got a string/],
    ["an infinite wait", { maxWaitMs: Number.POSITIVE_INFINITY }, /maxWaitMs.*got Infinity/],
    [
      "a window as long as the wait",
      { reorderWindowMs: 3000 },
      /maxWaitMs.*\(3000\) must be more than.*reorderWindowMs/,
    ],
    [
      "done markers shorter than the lease",
      { leaseMs: 5000, doneTtlMs: 2000 },
      /doneTtlMs.*\(2000\) must be more than/,
    ],
    [
      "an unknown call key field",
      { callKey: "connection_id" as "call_leg_id" },
      /callKey.*"call_control_id".*got "connection_id"/,
    ],
    [
      "a store lacking methods",
      { store: { claimEvent: vi.fn() } as unknown as WebhookStore },
      /store.*lacks completeEvent/,
    ],
    [
      "a store with some of the combined operations but not all",
      {
        store: {
          ...memoryStore(),
          completeAndLeave: undefined,
          releaseAndLeave: undefined,
          renewHeld: undefined,
        } as unknown as WebhookStore,
      },
      /store` lacks completeAndLeave, releaseAndLeave, renewHeld: claimAndJoin, .* go together .*implement all or none/,
    ],
    ["a store that is not an object", { store: "redis://x" as unknown as WebhookStore }, /store.*got a string/],
  ];
  it.each(bad)("refuses %s at construction, saying what is expected", (_, options, message) => {
    expect(() => webhooks().router(options)).toThrow(message);
  });

  it("refuses a non-object", () => {
    expect(() => webhooks().router(null as unknown as RouterOptions)).toThrow(/takes an options object.*got null/);
  });

  it("takes every option as explicit undefined, meaning its default", () => {
    expect(() =>
      webhooks().router({
        store: undefined,
        reorderWindowMs: undefined,
        callKey: undefined,
        leaseMs: undefined,
        doneTtlMs: undefined,
        maxWaitMs: undefined,
      }),
    ).not.toThrow();
  });
});

describe("the router without options", () => {
  it("handles a duplicate once by default (a fresh memoryStore per router)", async () => {
    const seen = vi.fn();
    const url = await serve(webhooks().router().on("call.answered", seen).nodeHandler());
    const { body } = eventBody({ call: "c" });
    expect((await deliverTo(url, body)).status).toBe(200);
    expect((await deliverTo(url, body)).status).toBe(200);
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen.mock.calls[0]?.[1]).toEqual({ late: false, callKey: "c" });
  });

  it("leaves the store alone for events no route handles", async () => {
    const { store, calls } = faultyStore();
    const router = webhooks().router({ store }).on("call.hangup", vi.fn());
    await router.handle(event({ type: "call.answered", call: "c" }));
    expect(calls).toEqual([]);
    await router.handle(event({ type: "call.hangup", call: "c" }));
    expect(calls).toContain("claimAndJoin");
  });
});

describe("events the store cannot dedupe or order", () => {
  it("handles an event without an id every time it comes (nothing to dedupe on)", async () => {
    const seen = vi.fn();
    const router = webhooks().router().otherwise(seen);
    const noId = event({ call: "c" });
    (noId.data as { id: string }).id = "";
    await router.handle(noId);
    await router.handle(noId);
    expect(seen).toHaveBeenCalledTimes(2);
  });

  it("orders an event whose occurred_at is not a date at its arrival, and still handles it once", async () => {
    const seen = vi.fn();
    const router = webhooks().router().otherwise(seen);
    const odd = event({ call: "c" });
    (odd.data as { occurred_at: string }).occurred_at = "yesterday";
    await router.handle(odd);
    await router.handle(odd);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("answers 500 and reports when a callKey function returns something that is not a key", async () => {
    const onError = vi.fn();
    const seen = vi.fn();
    const router = webhooks(onError)
      .router({ callKey: () => 42 as unknown as string })
      .otherwise(seen);
    const url = await serve(router.nodeHandler());
    expect((await deliverTo(url, eventBody({ call: "c" }).body)).status).toBe(500);
    expect(seen).not.toHaveBeenCalled();
    expect(String(onError.mock.calls[0]?.[0])).toMatch(
      /callKey.*must return a non-empty string or undefined, got a number/,
    );
  });
});

describe.each(SHAPES)("a failing store, $label", ({ combined, claim, complete }) => {
  it("answers 503 (store_unavailable) and reports when the store fails before the handler, so Telnyx delivers again", async () => {
    const onError = vi.fn();
    const seen = vi.fn();
    const { store } = faultyStore({ [claim]: 1 }, { combined });
    const url = await serve(webhooks(onError).router({ store }).otherwise(seen).nodeHandler());
    const { body } = eventBody({ call: "c" });
    const refused = await deliverTo(url, body);
    expect(refused.status).toBe(503);
    expect(refused.body).toBe("store_unavailable");
    expect(seen).not.toHaveBeenCalled();
    expect(String(onError.mock.calls[0]?.[0])).toMatch(new RegExp(`store down \\(${claim}\\)`));
    expect((await deliverTo(url, body)).status).toBe(200);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("retries the completion after a handler succeeded, and answers 200 once it is recorded", async () => {
    const onError = vi.fn();
    const seen = vi.fn();
    const { store, calls } = faultyStore({ [complete]: 2 }, { combined });
    const url = await serve(webhooks(onError).router({ store }).otherwise(seen).nodeHandler());
    const { body } = eventBody({ call: "c" });
    expect((await deliverTo(url, body)).status).toBe(200);
    expect(calls.filter((c) => c === complete)).toHaveLength(3);
    expect(onError).not.toHaveBeenCalled();
    expect((await deliverTo(url, body)).status).toBe(200);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("keeps retrying a completion that fails for longer (a failover), and records it once the store is back", async () => {
    const onError = vi.fn();
    const seen = vi.fn();
    // Six failures in a row: the tries back off 10, 20, 40, 80, 160 and 320 ms, well past the three tries within
    // 50 ms that once lost a done marker during a Redis Cluster failover.
    const { store, calls } = faultyStore({ [complete]: 6 }, { combined });
    const url = await serve(webhooks(onError).router({ store }).otherwise(seen).nodeHandler());
    const { body } = eventBody({ call: "c" });
    expect((await deliverTo(url, body)).status).toBe(200);
    expect(calls.filter((c) => c === complete)).toHaveLength(7);
    expect(onError).not.toHaveBeenCalled();
    // Recorded: a redelivery is answered 200 without running the handler again.
    expect((await deliverTo(url, body)).status).toBe(200);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("reports an outage once in a while, not once a delivery", async () => {
    const onError = vi.fn();
    const { store } = faultyStore({ [claim]: 20 }, { combined });
    const url = await serve(webhooks(onError).router({ store }).otherwise(vi.fn()).nodeHandler());
    const replies = await Promise.all(Array.from({ length: 20 }, () => deliverTo(url, eventBody({ call: "c" }).body)));
    expect(replies.every((r) => r.status === 503)).toBe(true);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it("answers 200 and reports when the completion cannot be recorded within about leaseMs: a retry would run the handler twice", async () => {
    const onError = vi.fn();
    const seen = vi.fn();
    const { store, calls } = faultyStore({ [complete]: 1000 }, { combined });
    const leaseMs = 300;
    const url = await serve(webhooks(onError).router({ store, leaseMs }).otherwise(seen).nodeHandler());
    const began = performance.now();
    expect((await deliverTo(url, eventBody({ call: "c" }).body)).status).toBe(200);
    expect(seen).toHaveBeenCalledTimes(1);
    // It tried for about the lease (backing off 10, 20, 40, 80, 160 ms), then gave up: bounded, not forever.
    expect(calls.filter((c) => c === complete).length).toBeGreaterThanOrEqual(5);
    expect(performance.now() - began).toBeGreaterThanOrEqual(leaseMs / 2);
    expect(onError.mock.calls.map((c) => String(c[0]))).toContainEqual(
      expect.stringMatching(new RegExp(`store down \\(${complete}\\)`)),
    );
  });
});

describe("renewals", () => {
  it("renew everything one router holds with one store call per leaseMs / 3, and stop when nothing is held", async () => {
    const { store, calls } = faultyStore();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const leaseMs = 300;
    const router = webhooks()
      .router({ store, leaseMs })
      .otherwise(() => held);
    const url = await serve(router.nodeHandler());
    // Ten deliveries of ten calls, all running at once for about three leases.
    const replies = Array.from({ length: 10 }, (_, i) => deliverTo(url, eventBody({ call: `renew-${i}` }).body));
    await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
    release();
    expect((await Promise.all(replies)).map((r) => r.status)).toEqual(Array(10).fill(200));
    const renewals = calls.filter((c) => c === "renewHeld").length;
    // About 9 beats in 900 ms; a timer per delivery made it 10 times that.
    expect(renewals).toBeGreaterThanOrEqual(3);
    expect(renewals).toBeLessThanOrEqual(12);
    expect(calls).not.toContain("renew");
    const after = calls.length;
    await new Promise((resolve) => setTimeout(resolve, leaseMs));
    expect(calls.length).toBe(after);
  });

  it("without renewHeld, renew each held event on the same single beat", async () => {
    const { store, calls } = faultyStore({}, { combined: false });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const leaseMs = 300;
    const url = await serve(
      webhooks()
        .router({ store, leaseMs })
        .otherwise(() => held)
        .nodeHandler(),
    );
    const replies = Array.from({ length: 10 }, (_, i) => deliverTo(url, eventBody({ call: `each-${i}` }).body));
    await new Promise((resolve) => setTimeout(resolve, 3 * leaseMs));
    release();
    expect((await Promise.all(replies)).map((r) => r.status)).toEqual(Array(10).fill(200));
    const renewals = calls.filter((c) => c === "renew").length;
    // Each of the ten, at each of the beats (about 9 in 900 ms).
    expect(renewals).toBeGreaterThanOrEqual(30);
  });
});

describe("handle called directly", () => {
  it("resolves without calling the app for a handled event, and rejects with WebhookBusyError past maxWaitMs", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen = vi.fn(() => held);
    const router = webhooks().router({ maxWaitMs: 100 }).otherwise(seen);
    const e = event({ call: "c" });
    const first = router.handle(e);
    const copy = router.handle(e).catch((error: unknown) => error);
    const error = await copy;
    expect(error).toBeInstanceOf(WebhookBusyError);
    expect(error).toMatchObject({ reason: "event_in_progress", retryAfterSeconds: 1 });
    expect((error as Error).message).toMatch(/maxWaitMs \(100 ms\).*503/);
    release();
    await first;
    await router.handle(e);
    expect(seen).toHaveBeenCalledTimes(1);
  });
});

describe("503 through Express", () => {
  it("answers a busy copy 503 with Retry-After itself, not through next(error)", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const next = vi.fn();
    const router = webhooks()
      .router({ maxWaitMs: 100 })
      .otherwise(() => held);
    const app = express();
    const handler = router.nodeHandler();
    app.post("/webhooks", express.raw({ type: "application/json" }), (req, res) => handler(req, res, next));
    const { url, close } = await listen(createServer(app));
    closers.push(close);
    const { body } = eventBody({ call: "c" });
    const first = deliverTo(url, body);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const copy = await deliverTo(url, body);
    expect(copy).toMatchObject({ status: 503, body: "event_in_progress" });
    expect(copy.headers["retry-after"]).toBe("1");
    expect(next).not.toHaveBeenCalled();
    release();
    expect((await first).status).toBe(200);
  });
});

describe("drain", () => {
  it("claims nothing new (503 draining), finishes what it holds, then resolves", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ran: string[] = [];
    const router = webhooks()
      .router()
      .otherwise(async (event) => {
        ran.push(event.data.id);
        if (ran.length === 1) await held;
      });
    const url = await serve(router.nodeHandler());
    const first = eventBody({ call: "c1" });
    const inFlight = deliverTo(url, first.body);
    while (ran.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    let drained: { unfinished: number } | undefined;
    const draining = router.drain({ timeoutMs: 5000 }).then((r) => (drained = r));
    const refused = await deliverTo(url, eventBody({ call: "c2" }).body);
    expect(refused).toMatchObject({ status: 503, body: "draining" });
    expect(drained).toBeUndefined();
    release();
    expect((await inFlight).status).toBe(200);
    await draining;
    expect(drained).toEqual({ unfinished: 0 });
    expect(ran).toEqual([first.id]);
  });

  it("resolves at its bound with what is still running", async () => {
    const router = webhooks()
      .router()
      .otherwise(() => new Promise((resolve) => setTimeout(resolve, 2000)));
    const url = await serve(router.nodeHandler());
    const running = deliverTo(url, eventBody({ call: "c" }).body);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await router.drain({ timeoutMs: 200 })).toEqual({ unfinished: 1 });
    expect((await running).status).toBe(200);
    await expect(router.drain({ timeoutMs: 0 })).rejects.toThrow(RangeError);
  });
});

describe("waits", () => {
  it("a change announced after the store answered, before the wait began, ends the wait at once", async () => {
    // The copy's claim is answered busy; before its delivery begins to wait, the first copy completes (the
    // store announces it to no one yet). Its wait must end at once, not at the backstop poll 25 ms later.
    const first = event({ call: "c" });
    const inner = memoryStore();
    let finishFirst: () => Promise<void> = async () => {};
    let copies = 0;
    const claims: string[] = [];
    const store = new Proxy(inner, {
      get(target, name: string) {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (name === "claimAndJoin") {
            const { claim } = result as { claim: string };
            claims.push(claim);
            const { eventId } = args[0] as { eventId: string };
            if (claim === "busy" && eventId === first.data.id && copies++ === 0) await finishFirst();
          }
          return result;
        };
      },
    });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const router = webhooks()
      .router({ store })
      .otherwise((e) => (e.data.id === first.data.id ? gate : undefined));
    const running = router.handle(first);
    finishFirst = async () => {
      open();
      await running;
    };
    // Subscribed (the router listens from its first wait on): a wait of another event, ended by its completion.
    const warm = event({ call: "w" });
    await inner.claimAndJoin(
      { callKey: "w", eventId: warm.data.id, owner: "x", occurredAtMs: 0 },
      60_000,
      60_000,
      true,
    );
    const warming = router.handle(warm);
    for (let i = 0; i < 1000 && !claims.includes("busy"); i++) await new Promise((resolve) => setTimeout(resolve, 1));
    await inner.completeAndLeave({ callKey: "w", eventId: warm.data.id, owner: "x", occurredAtMs: 0 }, 60_000, 60_000);
    await warming;

    const before = wakeups.count;
    await router.handle(first);
    // Busy, then done on the next try: the wait in between ended by the change, not by a poll.
    expect(claims.slice(-2)).toEqual(["busy", "done"]);
    expect(copies).toBe(1);
    expect(wakeups.count - before).toBe(1);
  });
});
