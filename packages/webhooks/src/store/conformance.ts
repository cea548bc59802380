// The behaviour every WebhookStore must have, as cases any test runner can run:
//   for (const c of storeConformance(() => myStore)) it(c.name, c.run);
// memoryStore and redisStore run these same cases. They assert through thrown Errors (no test framework),
// use fresh random ids (so a shared server needs no flushing), and never rely on a short lease still being
// held: what must last gets a minute, what must lapse gets 50 ms and a wait of 250 ms. The cases of optional
// operations (the combined ones, onChange) check a store that has them, and pass on one that has none.
import type { CallTurn, StoreChange, WebhookStore } from "./store.js";

/** One conformance case: `run` rejects with an Error saying what the store did wrong. */
export interface StoreConformanceCase {
  name: string;
  run: () => Promise<void>;
}

const LONG = 60_000;
const SHORT = 50;
const LAPSE_WAIT = 250;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function equal(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

let counter = 0;
/** A fresh id: a shared store needs no cleanup between runs. */
function fresh(kind: string): string {
  counter++;
  return `conformance-${kind}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`;
}

/**
 * The conformance cases for a {@link WebhookStore}. `makeStore` may return the same store every time (a
 * shared Redis) or a new one.
 */
export function storeConformance(makeStore: () => WebhookStore | Promise<WebhookStore>): StoreConformanceCase[] {
  const cases: StoreConformanceCase[] = [];
  const add = (name: string, body: (store: WebhookStore) => Promise<void>) =>
    cases.push({ name, run: async () => body(await makeStore()) });

  /** Claims the event for `owner`, then joins its call: what the router does before `enterCall`. */
  const arrive = async (store: WebhookStore, turn: CallTurn, leaseMs = LONG) => {
    equal(await store.claimEvent(turn.eventId, turn.owner, leaseMs), "claimed", `claim of ${turn.eventId}`);
    await store.joinCall(turn, leaseMs, LONG);
  };
  const turnOf = (callKey: string, name: string, occurredAtMs: number, owner = fresh("owner")): CallTurn => ({
    callKey,
    eventId: `${callKey}-${name}`,
    owner,
    occurredAtMs,
  });

  add("claims an event for one owner at a time; its owner may claim it again", async (store) => {
    const id = fresh("event");
    equal(await store.claimEvent(id, "o1", LONG), "claimed", "first claim");
    equal(await store.claimEvent(id, "o2", LONG), "busy", "another owner's claim while held");
    equal(await store.claimEvent(id, "o1", LONG), "claimed", "the owner's claim again");
  });

  add("a completed event is done for every owner, and completion says the owner held it", async (store) => {
    const id = fresh("event");
    await store.claimEvent(id, "o1", LONG);
    equal(await store.completeEvent(id, "o1", LONG), true, "completion by the owner");
    equal(await store.claimEvent(id, "o2", LONG), "done", "claim after completion");
    equal(await store.claimEvent(id, "o1", LONG), "done", "the owner's claim after completion");
  });

  add("release frees the event for the next copy, and only its owner can release it", async (store) => {
    const id = fresh("event");
    await store.claimEvent(id, "o1", LONG);
    await store.releaseEvent(id, "o2");
    equal(await store.claimEvent(id, "o3", LONG), "busy", "claim after a release by a non-owner");
    await store.releaseEvent(id, "o1");
    equal(await store.claimEvent(id, "o3", LONG), "claimed", "claim after the owner's release");
  });

  add("exactly one of many concurrent claims of an event wins", async (store) => {
    const id = fresh("event");
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimEvent(id, `o${i}`, LONG)));
    equal(results.filter((r) => r === "claimed").length, 1, "claims that won");
    equal(results.filter((r) => r === "busy").length, 19, "claims found busy");
  });

  add("a claim lapses leaseMs after its last renewal (its instance died)", async (store) => {
    const id = fresh("event");
    await store.claimEvent(id, "o1", SHORT);
    await pause(LAPSE_WAIT);
    equal(await store.claimEvent(id, "o2", LONG), "claimed", "claim after the first lapsed");
    equal(await store.renew(id, "o1", LONG), false, "renewal by the owner whose claim lapsed");
  });

  add("renew sets the owner's claim to leaseMs from now, and only the owner's", async (store) => {
    const id = fresh("event");
    await store.claimEvent(id, "o1", LONG);
    equal(await store.renew(id, "o2", SHORT), false, "renewal by a non-owner");
    await pause(LAPSE_WAIT);
    equal(await store.claimEvent(id, "o3", LONG), "busy", "claim after a non-owner's renewal");
    equal(await store.renew(id, "o1", SHORT), true, "renewal by the owner");
    await pause(LAPSE_WAIT);
    equal(await store.claimEvent(id, "o3", LONG), "claimed", "claim once the renewed lease lapsed");
  });

  add("completion after the claim was lost still marks the event done, and says it was lost", async (store) => {
    const id = fresh("event");
    await store.claimEvent(id, "o1", SHORT);
    await pause(LAPSE_WAIT);
    equal(await store.claimEvent(id, "o2", LONG), "claimed", "claim after the lapse");
    equal(await store.completeEvent(id, "o1", LONG), false, "completion by the owner that lost the claim");
    equal(await store.claimEvent(id, "o3", LONG), "done", "claim after that completion");
  });

  add("a done marker expires doneTtlMs after completion", async (store) => {
    const id = fresh("event");
    await store.claimEvent(id, "o1", LONG);
    await store.completeEvent(id, "o1", SHORT);
    await pause(LAPSE_WAIT);
    equal(await store.claimEvent(id, "o2", LONG), "claimed", "claim after the done marker expired");
  });

  add("a call's earliest pending event enters first, whatever the order they joined in", async (store) => {
    const call = fresh("call");
    const b = turnOf(call, "b", 2000);
    const a = turnOf(call, "a", 1000);
    await arrive(store, b);
    await arrive(store, a);
    equal(await store.enterCall(b, LONG), { entered: false, reason: "waiting" }, "later event while earlier pending");
    equal(await store.enterCall(a, LONG), { entered: true, late: false }, "earliest event");
    equal(await store.enterCall(b, LONG), { entered: false, reason: "waiting" }, "later event while the call is held");
    await store.leaveCall(a, true, LONG);
    equal(await store.enterCall(b, LONG), { entered: true, late: false }, "later event once the earlier left");
  });

  add("events that occurred at the same time go by event id; fractions of a millisecond count", async (store) => {
    const call = fresh("call");
    const second = turnOf(call, "b", 5000);
    const first = turnOf(call, "a", 5000);
    await arrive(store, second);
    await arrive(store, first);
    equal(await store.enterCall(second, LONG), { entered: false, reason: "waiting" }, "tie, larger id");
    equal(await store.enterCall(first, LONG), { entered: true, late: false }, "tie, smaller id");
    await store.leaveCall(first, true, LONG);
    await store.leaveCall(second, false, LONG);

    const other = fresh("call");
    const later = turnOf(other, "a", 1_784_000_000_000.5);
    const earlier = turnOf(other, "b", 1_784_000_000_000.25);
    await arrive(store, later);
    await arrive(store, earlier);
    equal(await store.enterCall(later, LONG), { entered: false, reason: "waiting" }, "0.5 ms after 0.25 ms");
    equal(await store.enterCall(earlier, LONG), { entered: true, late: false }, "0.25 ms");
  });

  add("an event older than one already handled enters late; a failed one does not count", async (store) => {
    const call = fresh("call");
    const failed = turnOf(call, "failed", 3000);
    await arrive(store, failed);
    equal((await store.enterCall(failed, LONG)).entered, true, "first event enters");
    await store.leaveCall(failed, false, LONG);
    const handled = turnOf(call, "handled", 2000);
    await arrive(store, handled);
    equal(await store.enterCall(handled, LONG), { entered: true, late: false }, "after a failed later event");
    await store.leaveCall(handled, true, LONG);
    const older = turnOf(call, "older", 1000);
    await arrive(store, older);
    equal(await store.enterCall(older, LONG), { entered: true, late: true }, "older than a handled event");
    await store.leaveCall(older, true, LONG);
    const newer = turnOf(call, "newer", 2500);
    await arrive(store, newer);
    equal(await store.enterCall(newer, LONG), { entered: true, late: false }, "newer than every handled event");
  });

  add("the call's lease admits one event at a time, even one that became the earliest", async (store) => {
    const call = fresh("call");
    const running = turnOf(call, "running", 2000);
    await arrive(store, running);
    equal((await store.enterCall(running, LONG)).entered, true, "first event enters");
    const earlier = turnOf(call, "earlier", 1000);
    await arrive(store, earlier);
    equal(await store.enterCall(earlier, LONG), { entered: false, reason: "waiting" }, "while the lease is held");
    await store.leaveCall(running, true, LONG);
    equal(await store.enterCall(earlier, LONG), { entered: true, late: true }, "once the lease is free");
  });

  add("calls are independent: each call's earliest event enters at once", async (store) => {
    const turns = Array.from({ length: 10 }, () => turnOf(fresh("call"), "only", 1000));
    for (const turn of turns) await arrive(store, turn);
    const entries = await Promise.all(turns.map((turn) => store.enterCall(turn, LONG)));
    check(
      entries.every((e) => e.entered),
      `every call's only event should enter, got ${JSON.stringify(entries)}`,
    );
  });

  add("a dead instance's pending turn is dropped once its lease lapses", async (store) => {
    const call = fresh("call");
    const dead = turnOf(call, "dead", 1000);
    const alive = turnOf(call, "alive", 2000);
    await arrive(store, dead, SHORT);
    await arrive(store, alive);
    equal(await store.enterCall(alive, LONG), { entered: false, reason: "waiting" }, "behind a live earlier turn");
    await pause(LAPSE_WAIT);
    equal(await store.enterCall(alive, LONG), { entered: true, late: false }, "once the earlier turn lapsed");
  });

  add("a dead instance's call lease lapses, and a lapsed turn is gone for its owner", async (store) => {
    const call = fresh("call");
    const dead = turnOf(call, "dead", 1000);
    await arrive(store, dead, SHORT);
    equal((await store.enterCall(dead, SHORT)).entered, true, "the doomed event enters");
    const next = turnOf(call, "next", 2000);
    await arrive(store, next);
    await pause(LAPSE_WAIT);
    equal(await store.enterCall(next, LONG), { entered: true, late: false }, "once the dead lease lapsed");
    equal(await store.enterCall(dead, LONG), { entered: false, reason: "gone" }, "the dead turn, later");
  });

  add("renew carries the pending turn and the call lease, for their owner only", async (store) => {
    const call = fresh("call");
    const holder = turnOf(call, "holder", 1000);
    const waiting = turnOf(call, "waiting", 2000);
    await arrive(store, holder);
    equal((await store.enterCall(holder, LONG)).entered, true, "holder enters");
    await arrive(store, waiting);
    equal(await store.renew(holder.eventId, "someone-else", SHORT, call), false, "renewal by a non-owner");
    await pause(LAPSE_WAIT);
    equal(await store.enterCall(waiting, LONG), { entered: false, reason: "waiting" }, "after a non-owner's renewal");
    equal(await store.renew(holder.eventId, holder.owner, SHORT, call), true, "renewal by the owner");
    await pause(LAPSE_WAIT);
    equal(await store.enterCall(waiting, LONG), { entered: true, late: false }, "once the renewed lease lapsed");
  });

  add("only the owner's leave removes its turn or frees the call", async (store) => {
    const call = fresh("call");
    const first = turnOf(call, "first", 1000);
    const second = turnOf(call, "second", 2000);
    await arrive(store, first);
    equal((await store.enterCall(first, LONG)).entered, true, "first enters");
    await arrive(store, second);
    await store.leaveCall({ ...first, owner: "someone-else" }, true, LONG);
    equal(await store.enterCall(second, LONG), { entered: false, reason: "waiting" }, "after a non-owner's leave");
    await store.leaveCall(first, true, LONG);
    equal(await store.enterCall(second, LONG), { entered: true, late: false }, "after the owner's leave");
  });

  add("joining again replaces the turn: the earlier owner's turn is gone", async (store) => {
    const call = fresh("call");
    const eventId = `${call}-event`;
    const stale: CallTurn = { callKey: call, eventId, owner: "stale", occurredAtMs: 1000 };
    const current: CallTurn = { ...stale, owner: "current" };
    await store.joinCall(stale, LONG, LONG);
    await store.joinCall(current, LONG, LONG);
    equal(await store.enterCall(stale, LONG), { entered: false, reason: "gone" }, "the replaced turn");
    equal(await store.enterCall(current, LONG), { entered: true, late: false }, "the replacing turn");
    const never: CallTurn = { ...stale, eventId: `${call}-never`, owner: "never" };
    equal(await store.enterCall(never, LONG), { entered: false, reason: "gone" }, "a turn that never joined");
  });

  add("reserve spaces a key's slots intervalMs apart across callers; keys are independent", async (store) => {
    const key = fresh("pace");
    const interval = 60_000;
    const waits = (await Promise.all(Array.from({ length: 5 }, () => store.reserve(key, interval)))).sort(
      (a, b) => a - b,
    );
    check(waits[0]! >= 0 && waits[0]! <= 5000, `the first slot should be free now, got a wait of ${waits[0]} ms`);
    for (let i = 1; i < waits.length; i++) {
      const gap = waits[i]! - waits[i - 1]!;
      check(
        Math.abs(gap - interval) <= 5000,
        `slots should be ${interval} ms apart, got waits ${JSON.stringify(waits)}`,
      );
    }
    const other = await store.reserve(fresh("pace"), interval);
    check(other <= 5000, `another key's first slot should be free now, got a wait of ${other} ms`);
  });

  add("a pace key whose slots have passed is free again", async (store) => {
    const key = fresh("pace");
    await store.reserve(key, SHORT);
    await pause(LAPSE_WAIT);
    equal(await store.reserve(key, SHORT), 0, "wait after the slots passed");
  });

  // The combined operations (optional, all four or none).
  type Combined = Required<Pick<WebhookStore, "claimAndJoin" | "completeAndLeave" | "releaseAndLeave" | "renewHeld">>;
  const COMBINED = ["claimAndJoin", "completeAndLeave", "releaseAndLeave", "renewHeld"] as const;
  /** The store's combined operations, or `undefined` when it has none; throws when it has some but not all. */
  const combinedOf = (store: WebhookStore): Combined | undefined => {
    const has = COMBINED.filter((name) => typeof store[name] === "function");
    if (has.length === 0) return undefined;
    check(has.length === COMBINED.length, `the combined operations go together: the store has only ${has.join(", ")}`);
    return store as Combined;
  };
  const addCombined = (name: string, body: (store: WebhookStore & Combined) => Promise<void>) =>
    add(`combined operations: ${name}`, async (store) => {
      if (combinedOf(store)) await body(store as WebhookStore & Combined);
    });

  addCombined("claimAndJoin claims for one of many concurrent owners, and joins only its turn", async (store) => {
    const call = fresh("call");
    const eventId = `${call}-event`;
    const turns = Array.from(
      { length: 20 },
      (_, i): CallTurn => ({ callKey: call, eventId, owner: `o${i}`, occurredAtMs: 1000 }),
    );
    const results = await Promise.all(turns.map((turn) => store.claimAndJoin(turn, LONG, LONG, false)));
    equal(results.filter((r) => r.claim === "claimed").length, 1, "claims that won");
    equal(results.filter((r) => r.claim === "busy").length, 19, "claims found busy");
    const winner = turns[results.findIndex((r) => r.claim === "claimed")]!;
    const loser = turns[results.findIndex((r) => r.claim === "busy")]!;
    equal(
      results.find((r) => r.claim === "claimed"),
      { claim: "claimed" },
      "without enter, nothing entered",
    );
    equal(await store.enterCall(loser, LONG), { entered: false, reason: "gone" }, "a busy claim's turn (never joined)");
    equal(await store.enterCall(winner, LONG), { entered: true, late: false }, "the claimed turn");
  });

  addCombined(
    "claimAndJoin with enter enters a free call at once, and waits behind its lease or an earlier turn",
    async (store) => {
      const call = fresh("call");
      const first = turnOf(call, "first", 2000);
      equal(
        await store.claimAndJoin(first, LONG, LONG, true),
        { claim: "claimed", entry: { entered: true, late: false } },
        "into a free call",
      );
      const next = turnOf(call, "next", 3000);
      equal(
        await store.claimAndJoin(next, LONG, LONG, true),
        { claim: "claimed", entry: { entered: false, reason: "waiting" } },
        "while the call is held",
      );
      await store.completeAndLeave(first, LONG, LONG);
      const other = fresh("call");
      const later = turnOf(other, "later", 2000);
      await store.joinCall(turnOf(other, "earlier", 1000), LONG, LONG);
      equal(
        await store.claimAndJoin(later, LONG, LONG, true),
        { claim: "claimed", entry: { entered: false, reason: "waiting" } },
        "behind an earlier pending turn",
      );
      equal(await store.enterCall(next, LONG), { entered: true, late: false }, "the next turn once the first left");
    },
  );

  addCombined(
    "completeAndLeave marks the event done, frees the call, raises its mark, and says the owner held it",
    async (store) => {
      const call = fresh("call");
      const newer = turnOf(call, "newer", 2000);
      equal((await store.claimAndJoin(newer, LONG, LONG, true)).claim, "claimed", "the newer event's claim");
      const older = turnOf(call, "older", 1000);
      equal(
        await store.claimAndJoin(older, LONG, LONG, true),
        { claim: "claimed", entry: { entered: false, reason: "waiting" } },
        "an older event while the newer one holds the call",
      );
      equal(await store.completeAndLeave(newer, LONG, LONG), true, "completion by the owner");
      equal(
        await store.claimAndJoin({ ...newer, owner: fresh("owner") }, LONG, LONG, true),
        { claim: "done" },
        "a copy after completion",
      );
      equal(await store.claimAndJoin(newer, LONG, LONG, true), { claim: "done" }, "the owner's claim after completion");
      equal(
        await store.enterCall(older, LONG),
        { entered: true, late: true },
        "the older event, after the newer was handled",
      );
    },
  );

  addCombined(
    "completeAndLeave after the claim was lost still marks the event done, and says it was lost",
    async (store) => {
      const call = fresh("call");
      const stalled = turnOf(call, "event", 1000);
      equal((await store.claimAndJoin(stalled, SHORT, LONG, true)).claim, "claimed", "first claim");
      await pause(LAPSE_WAIT);
      const copy = { ...stalled, owner: fresh("owner") };
      equal(
        await store.claimAndJoin(copy, LONG, LONG, true),
        { claim: "claimed", entry: { entered: true, late: false } },
        "a copy once the claim lapsed",
      );
      equal(await store.completeAndLeave(stalled, LONG, LONG), false, "completion by the owner that lost the claim");
      equal(
        await store.claimAndJoin({ ...stalled, owner: fresh("owner") }, LONG, LONG, false),
        { claim: "done" },
        "a copy after that completion",
      );
      // The stalled owner's leave did not free the call the copy holds.
      const next = turnOf(call, "next", 2000);
      equal(
        await store.claimAndJoin(next, LONG, LONG, true),
        { claim: "claimed", entry: { entered: false, reason: "waiting" } },
        "the next event while the copy holds the call",
      );
    },
  );

  addCombined("releaseAndLeave frees the event and the call, raises no mark, and only for the owner", async (store) => {
    const call = fresh("call");
    const failing = turnOf(call, "failing", 2000);
    equal((await store.claimAndJoin(failing, LONG, LONG, true)).claim, "claimed", "the claim");
    const next = turnOf(call, "next", 3000);
    equal((await store.claimAndJoin(next, LONG, LONG, false)).claim, "claimed", "the next event's claim");
    await store.releaseAndLeave({ ...failing, owner: fresh("owner") }, LONG);
    equal(
      await store.claimAndJoin({ ...failing, owner: fresh("owner") }, LONG, LONG, false),
      { claim: "busy" },
      "a copy after a non-owner's release",
    );
    equal(
      await store.enterCall(next, LONG),
      { entered: false, reason: "waiting" },
      "the next event after a non-owner's release",
    );
    await store.releaseAndLeave(failing, LONG);
    const retry = { ...failing, owner: fresh("owner") };
    equal(
      await store.claimAndJoin(retry, LONG, LONG, true),
      { claim: "claimed", entry: { entered: true, late: false } },
      "the redelivery (first again, not late)",
    );
  });

  addCombined("renewHeld renews each item's claim, turn and lease for its owner only, item by item", async (store) => {
    const call = fresh("call");
    const holder = turnOf(call, "holder", 1000);
    equal((await store.claimAndJoin(holder, SHORT, LONG, true)).entry, { entered: true, late: false }, "holder enters");
    const waiting = turnOf(call, "waiting", 2000);
    await store.claimAndJoin(waiting, LONG, LONG, false);
    const solo = fresh("event");
    equal(await store.claimEvent(solo, "solo-owner", SHORT), "claimed", "a claim without a call");
    const other = fresh("event");
    await store.claimEvent(other, "other-owner", LONG);
    const renewed = await store.renewHeld(
      [
        { eventId: holder.eventId, owner: holder.owner, callKey: call },
        { eventId: solo, owner: "solo-owner" },
        { eventId: other, owner: "not-the-owner" },
      ],
      LONG,
    );
    equal(renewed, [true, true, false], "whether each claim is still its owner's");
    equal(await store.renewHeld([], LONG), [], "nothing held");
    await pause(LAPSE_WAIT);
    equal(
      await store.claimAndJoin({ ...holder, owner: fresh("owner") }, LONG, LONG, false),
      { claim: "busy" },
      "a copy of the renewed claim",
    );
    equal(await store.claimEvent(solo, fresh("owner"), LONG), "busy", "a copy of the renewed claim without a call");
    equal(await store.enterCall(waiting, LONG), { entered: false, reason: "waiting" }, "behind the renewed lease");
    equal(
      await store.renewHeld([{ eventId: holder.eventId, owner: holder.owner, callKey: call }], SHORT),
      [true],
      "renewal to a short lease",
    );
    await pause(LAPSE_WAIT);
    equal(await store.enterCall(waiting, LONG), { entered: true, late: false }, "once the renewed lease lapsed");
    equal(
      await store.renewHeld([{ eventId: holder.eventId, owner: holder.owner, callKey: call }], LONG),
      [false],
      "renewal of a lapsed claim",
    );
  });

  addCombined(
    "a dead instance's claim and turn from claimAndJoin lapse: the call goes on, a copy claims the event",
    async (store) => {
      const call = fresh("call");
      const dead = turnOf(call, "dead", 1000);
      equal(
        (await store.claimAndJoin(dead, SHORT, LONG, true)).entry,
        { entered: true, late: false },
        "the doomed event enters",
      );
      const next = turnOf(call, "next", 2000);
      equal(
        (await store.claimAndJoin(next, LONG, LONG, true)).entry,
        { entered: false, reason: "waiting" },
        "behind the doomed event",
      );
      await pause(LAPSE_WAIT);
      equal(await store.enterCall(next, LONG), { entered: true, late: false }, "once the dead lease lapsed");
      equal(
        (await store.claimAndJoin({ ...dead, owner: fresh("owner") }, LONG, LONG, false)).claim,
        "claimed",
        "a copy of the dead event",
      );
    },
  );

  // onChange (optional). A store shared between processes may announce through a subscription it makes on
  // first use: an announcement made before that is ready is lost (the router's backstop poll covers it), so
  // each case tries a fresh scenario again, up to 5 times, until one announcement arrives.
  const announced = async (
    store: WebhookStore,
    what: string,
    scenario: () => Promise<{ expect: StoreChange; change: () => Promise<unknown> }>,
  ) => {
    if (!store.onChange) return;
    const seen: StoreChange[] = [];
    const unsubscribe = store.onChange((change) => {
      if (change) seen.push(change);
    });
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const { expect, change } = await scenario();
        await change();
        for (let waited = 0; waited < 1000; waited += 5) {
          if (seen.some((c) => c.eventId === expect.eventId && c.callKey === expect.callKey)) return;
          await pause(5);
        }
      }
      throw new Error(
        `onChange: ${what} was not announced within 1 s, 5 times over (got ${JSON.stringify(seen.slice(-5))})`,
      );
    } finally {
      unsubscribe();
    }
  };

  add("onChange announces a completed or released event that a copy waits for", async (store) => {
    await announced(store, "a completion", async () => {
      const id = fresh("event");
      await store.claimEvent(id, "o1", LONG);
      equal(await store.claimEvent(id, "o2", LONG), "busy", "the copy's claim");
      return { expect: { eventId: id }, change: () => store.completeEvent(id, "o1", LONG) };
    });
    await announced(store, "a release", async () => {
      const id = fresh("event");
      await store.claimEvent(id, "o1", LONG);
      equal(await store.claimEvent(id, "o2", LONG), "busy", "the copy's claim");
      return { expect: { eventId: id }, change: () => store.releaseEvent(id, "o1") };
    });
    const combined = combinedOf(store);
    if (!combined) return;
    for (const [what, change] of [
      ["a completeAndLeave", (turn: CallTurn) => combined.completeAndLeave(turn, LONG, LONG)],
      ["a releaseAndLeave", (turn: CallTurn) => combined.releaseAndLeave(turn, LONG)],
    ] as const) {
      await announced(store, what, async () => {
        const turn = turnOf(fresh("call"), "event", 1000);
        await combined.claimAndJoin(turn, LONG, LONG, true);
        equal(
          await combined.claimAndJoin({ ...turn, owner: fresh("owner") }, LONG, LONG, true),
          { claim: "busy" },
          "the copy's claim",
        );
        return { expect: { eventId: turn.eventId }, change: () => change(turn) };
      });
    }
  });

  add("onChange announces the next turn of a call left while it waits", async (store) => {
    await announced(store, "the next turn after a leave", async () => {
      const call = fresh("call");
      const first = turnOf(call, "first", 1000);
      const second = turnOf(call, "second", 2000);
      await arrive(store, first);
      equal((await store.enterCall(first, LONG)).entered, true, "first enters");
      await arrive(store, second);
      equal(await store.enterCall(second, LONG), { entered: false, reason: "waiting" }, "second waits");
      return { expect: { callKey: call, eventId: second.eventId }, change: () => store.leaveCall(first, true, LONG) };
    });
    const combined = combinedOf(store);
    if (!combined) return;
    for (const [what, change] of [
      ["completeAndLeave", (turn: CallTurn) => combined.completeAndLeave(turn, LONG, LONG)],
      ["releaseAndLeave", (turn: CallTurn) => combined.releaseAndLeave(turn, LONG)],
    ] as const) {
      await announced(store, `the next turn after a ${what}`, async () => {
        const call = fresh("call");
        const first = turnOf(call, "first", 1000);
        const second = turnOf(call, "second", 2000);
        await combined.claimAndJoin(first, LONG, LONG, true);
        equal(
          (await combined.claimAndJoin(second, LONG, LONG, true)).entry,
          { entered: false, reason: "waiting" },
          "second waits",
        );
        return { expect: { callKey: call, eventId: second.eventId }, change: () => change(first) };
      });
    }
  });

  return cases;
}
