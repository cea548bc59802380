// Waits woken across instances (issue 18, item 7): what a completion, release or leave frees that a delivery
// waits for is published, and every store sharing the Redis (or Redis Cluster) tells its listeners, so that a
// router on another instance goes on at once instead of at its next poll. Announced only when someone waits, and
// told once to the store that made the change. Then the same through routers: the waits end by a wake-up.
import type { CallTurn, StoreChange, WebhookEvent } from "@telnyx-voice/webhooks";
import { afterAll, describe, expect, it } from "vitest";
import { wakeups } from "../../webhooks/src/router/waits.js";
import { Webhooks } from "../../webhooks/src/node.js";
import { keys } from "../../webhooks/test/router/suite.js";
import { type RedisStore, redisStore } from "../src/index.js";
import { backends } from "./backends.js";

const opened: RedisStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

const unique = (what: string) => `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const LONG = 60_000;

/** Resolves once `condition` holds, polling every 5 ms; fails after `ms`. */
async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await pause(5);
  }
}

/** A listener that keeps what it is told. */
function listen(store: RedisStore): StoreChange[] {
  const seen: StoreChange[] = [];
  store.onChange?.((change) => {
    if (change) seen.push(change);
  });
  return seen;
}

const turnOf = (callKey: string, name: string, occurredAtMs: number, owner = unique("owner")): CallTurn => ({
  callKey,
  eventId: `${callKey}-${name}`,
  owner,
  occurredAtMs,
});

/** An event completed on `store` while a copy waited for it: resolves with its id. */
async function awaitedCompletion(store: RedisStore): Promise<string> {
  const turn = turnOf(unique("call"), "event", 1000);
  expect((await store.claimAndJoin(turn, LONG, LONG, true)).claim).toBe("claimed");
  expect(await store.claimAndJoin({ ...turn, owner: unique("copy") }, LONG, LONG, true)).toEqual({ claim: "busy" });
  await store.completeAndLeave(turn, LONG, LONG);
  return turn.eventId;
}

/**
 * Until `listener`'s store has subscribed (it does on first use): an announcement made before that reaches no
 * one. Fresh awaited completions on `from` until one arrives, bounded.
 */
async function subscribed(from: RedisStore, seen: StoreChange[]): Promise<void> {
  const end = performance.now() + 10_000;
  for (;;) {
    const id = await awaitedCompletion(from);
    const by = performance.now() + 500;
    while (performance.now() < by) {
      if (seen.some((c) => c.eventId === id)) return;
      await pause(5);
    }
    if (performance.now() > end) throw new Error("the listening store never received an announcement in 10 s");
  }
}

function callEvent(call: string, id: string, at: number): WebhookEvent {
  return {
    data: {
      record_type: "event",
      event_type: "call.answered",
      id,
      occurred_at: new Date(Date.UTC(2026, 6, 16) + at).toISOString(),
      payload: { call_control_id: call, connection_id: "1" },
    },
    meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
  } as unknown as WebhookEvent;
}

for (const backend of backends()) {
  describe(`waits woken across instances, ${backend.name}`, () => {
    const pair = () => {
      const prefix = `${unique("wake")}:`;
      const make = () => {
        const store = redisStore({ ...backend.target(), keyPrefix: prefix });
        opened.push(store);
        return store;
      };
      return [make(), make()] as const;
    };

    it("announces to every store what was freed that a delivery waits for, only that, and once to its maker", async () => {
      const [a, b] = pair();
      const seenA = listen(a);
      const seenB = listen(b);
      await subscribed(a, seenB);

      // Completed while no copy waited: nothing to announce. Then one a copy waited for: announced.
      const quiet = turnOf(unique("call"), "quiet", 1000);
      await a.claimAndJoin(quiet, LONG, LONG, true);
      await a.completeAndLeave(quiet, LONG, LONG);
      const loud = await awaitedCompletion(a);
      await until(() => seenB.some((c) => c.eventId === loud), "the awaited completion to reach the other store");
      // Published in order on one channel: had the quiet one been announced, it would have arrived first.
      expect(seenB.some((c) => c.eventId === quiet.eventId)).toBe(false);
      await pause(100);
      // The maker told its own listeners at once, and skipped its own message when it came back.
      expect(seenA.filter((c) => c.eventId === loud)).toHaveLength(1);

      // A release a copy waits for.
      const failed = turnOf(unique("call"), "failed", 1000);
      await a.claimAndJoin(failed, LONG, LONG, true);
      expect(await b.claimAndJoin({ ...failed, owner: unique("copy") }, LONG, LONG, true)).toEqual({ claim: "busy" });
      await a.releaseAndLeave(failed, LONG);
      await until(
        () => seenB.some((c) => c.eventId === failed.eventId),
        "the awaited release to reach the other store",
      );

      // The next turn of a call, once the turn before it leaves: one waits on b behind a's.
      const call = unique("call");
      const first = turnOf(call, "first", 1000);
      const second = turnOf(call, "second", 2000);
      expect((await a.claimAndJoin(first, LONG, LONG, true)).entry).toEqual({ entered: true, late: false });
      expect((await b.claimAndJoin(second, LONG, LONG, true)).entry).toEqual({ entered: false, reason: "waiting" });
      await a.completeAndLeave(first, LONG, LONG);
      await until(
        () => seenB.some((c) => c.callKey === call && c.eventId === second.eventId),
        "the call's next turn to reach the other store",
      );
      expect(await b.enterCall(second, LONG)).toEqual({ entered: true, late: false });
    });

    it("ends a router's waits for another instance's delivery by a wake-up, not a poll", async () => {
      const [a, b] = pair();
      // b's subscription made before the routers need it, so that no announcement of the run is lost.
      await subscribed(a, listen(b));
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const handled: string[] = [];
      const routerOn = (store: RedisStore, hold: boolean) =>
        new Webhooks({ publicKey: keys.publicKey }).router({ store }).otherwise(async (event) => {
          handled.push(event.data.id);
          if (hold) await gate;
        });
      const first = routerOn(a, true);
      const second = routerOn(b, false);
      const call = unique("call");
      const event = callEvent(call, `${call}-1`, 1);
      const next = callEvent(call, `${call}-2`, 2);
      const running = first.handle(event);
      await until(() => handled.length === 1, "the first handler to start");
      // On b: a copy of the running event (waits for its outcome) and the call's next event (waits its turn).
      const before = wakeups.count;
      const copy = second.handle(event);
      const after = second.handle(next);
      await pause(300);
      expect(handled).toEqual([event.data.id]);
      open();
      await Promise.all([running, copy, after]);
      expect(handled).toEqual([event.data.id, next.data.id]);
      // Both of b's waits ended when a's completion was announced.
      expect(wakeups.count - before).toBeGreaterThanOrEqual(2);
    });
  });
}
