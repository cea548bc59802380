// One delivery through the store: exactly once per event, one at a time and in order per call.
//
//   claimEvent ── done ──> return (answered 200; the app is not called)
//       │ busy: another copy in progress ──> wait until it is done (return) or released (claim it), or 503
//       ▼ claimed (the router's renewals carry it from here on)
//   joinCall (at arrival) ─> wait out reorderWindowMs ─> enterCall until this event is the call's earliest
//       pending one and the call is free, or 503
//       ▼ entered (late: an event of the call that occurred later was already handled)
//   handler ── ok ──> completeEvent, leaveCall(handled) ──> 200
//           └─ throws ─> leaveCall, releaseEvent ──> 500, and the redelivery (or a waiting copy) handles it
//
// On a store with the combined operations, an event with a call takes fewer steps (each one round trip):
// claimAndJoin (which also tries to enter when there is no reorder window), then enterCall only while it must
// wait, then completeAndLeave, or releaseAndLeave on failure.
import { WebhookBusyError } from "../errors.js";
import type { WebhookEvent } from "../events.js";
import type { CallTurn, EnterResult, WebhookStore } from "../store/store.js";
import type { Renewals } from "./heartbeat.js";
import { occurredAtMs } from "./occurred-at.js";
import type { ResolvedRouterOptions } from "./options.js";
import { now, sleep, type Waits } from "./waits.js";

/** What a route handler learns about the event beside the event itself. */
export interface RouteInfo {
  /**
   * An event of the same call that occurred later (by `occurred_at`) was already handled: this one arrived
   * after the reorder window. It is handled all the same, never dropped; act on it only if still relevant.
   */
  late: boolean;
  /** The event's call (by `callKey`), or `undefined` when it has none and was not serialised. */
  callKey: string | undefined;
}

export interface DeliveryContext {
  options: ResolvedRouterOptions;
  waits: Waits;
  /** Renews what every delivery of this router holds, on one timer. */
  renewals: Renewals;
  owner: () => string;
  report: (error: unknown) => void;
  /** Reports store failures, at most one in a while: an outage fails every delivery alike. */
  reportStore: (error: unknown) => void;
}

/**
 * A completion that fails is tried again, backing off from 10 ms to this, for as long as the claim would last
 * (leaseMs): a failover takes a second or two, and a done marker never written lets a redelivery run the
 * handler again. Three tries within 50 ms lost one in a Redis Cluster failover.
 */
const COMPLETE_BACKOFF_MAX_MS = 1000;

/** Why a delivery itself gives up (draining is the router's, before any delivery starts). */
type DeliveryBusyReason = Exclude<WebhookBusyError["reason"], "draining">;

function busy(reason: DeliveryBusyReason, event: WebhookEvent, maxWaitMs: number): WebhookBusyError {
  const what = `event ${event.data.id} (${event.data.event_type})`;
  const messages: Record<DeliveryBusyReason, string> = {
    event_in_progress:
      `Another copy of ${what} was still being handled after maxWaitMs (${maxWaitMs} ms); answered 503 so that ` +
      "Telnyx delivers it again once the outcome is known. Handlers should finish well within the webhook timeout.",
    call_busy:
      `The call of ${what} stayed busy for maxWaitMs (${maxWaitMs} ms): its other events' handlers ran long, or ` +
      "an earlier event was pending. Answered 503 so that Telnyx delivers it again; keep handlers short.",
    lease_lost:
      `This delivery of ${what} lost its claim before its handler started (the process stalled, or the store was ` +
      "unreachable, for longer than leaseMs). Answered 503 so that Telnyx delivers it again.",
    store_unavailable:
      `The store failed before the handler of ${what} started, so its claim was never confirmed and the handler ` +
      "did not run. Answered 503 so that Telnyx delivers it again; the store's error is reported.",
  };
  return new WebhookBusyError(reason, messages[reason]);
}

async function settle(what: Promise<unknown>, report: (error: unknown) => void): Promise<void> {
  try {
    await what;
  } catch (error) {
    report(error);
  }
}

/**
 * A store operation before the handler: its failure (an error, or no answer within the store's own deadline)
 * becomes a 503, and nothing runs on a claim or a turn not seen confirmed.
 */
async function beforeHandler<T>(work: Promise<T>, event: WebhookEvent, context: DeliveryContext): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof WebhookBusyError) throw error;
    context.reportStore(error);
    throw busy("store_unavailable", event, context.options.maxWaitMs);
  }
}

/** Whether the store has the combined operations (the router's options check that it has all four or none). */
const combined = (
  store: WebhookStore,
): store is WebhookStore & Required<Pick<WebhookStore, "claimAndJoin" | "completeAndLeave" | "releaseAndLeave">> =>
  typeof store.claimAndJoin === "function";

/** Runs `handle` for `event` at most once across every router sharing the store, in its call's turn. */
export async function deliver(
  event: WebhookEvent,
  context: DeliveryContext,
  handle: (info: RouteInfo) => Promise<void>,
): Promise<void> {
  const { options, waits, report } = context;
  const { store, leaseMs, doneTtlMs, maxWaitMs, reorderWindowMs } = options;
  const arrived = now();
  const deadline = arrived + maxWaitMs;
  const eventId = event.data.id;
  const callKey = options.callKey(event);
  // Without an id there is nothing to dedupe on (Telnyx always sends one): handle it as it comes.
  if (typeof eventId !== "string" || eventId === "") {
    await handle({ late: false, callKey });
    return;
  }
  const owner = context.owner();
  // Known before the claim, so that a store with the combined operations claims and joins in one step.
  const turn: CallTurn | undefined =
    callKey === undefined
      ? undefined
      : { callKey, eventId, owner, occurredAtMs: occurredAtMs(event.data.occurred_at) ?? Date.now() };
  const together = turn !== undefined && combined(store);

  // Claim (and, on a store with the combined operations, join and maybe enter in the same step).
  let entry: EnterResult | undefined;
  // When the store was last asked: a change announced since then may have come after its answer (see Waits).
  let asked = 0;
  for (let attempt = 0; ; attempt++) {
    asked = now();
    if (together) {
      const result = await beforeHandler(
        store.claimAndJoin(turn, leaseMs, doneTtlMs, reorderWindowMs === 0),
        event,
        context,
      );
      if (result.claim === "done") return;
      if (result.claim === "claimed") {
        entry = result.entry;
        break;
      }
    } else {
      const claim = await beforeHandler(store.claimEvent(eventId, owner, leaseMs), event, context);
      if (claim === "done") return;
      if (claim === "claimed") break;
    }
    if (!(await waits.next(attempt, deadline, { eventId }, asked))) {
      throw busy("event_in_progress", event, maxWaitMs);
    }
  }

  const hold = context.renewals.hold({ eventId, owner, callKey });
  let joined = together;
  try {
    let late = false;
    if (turn) {
      if (!joined) {
        await beforeHandler(store.joinCall(turn, leaseMs, doneTtlMs), event, context);
        joined = true;
      }
      // Earlier events of the call still on their way join during the window and go first.
      const window = arrived + reorderWindowMs - now();
      if (window > 0) await sleep(window);
      for (let attempt = 0; ; attempt++) {
        if (!entry) {
          asked = now();
          entry = await beforeHandler(store.enterCall(turn, leaseMs), event, context);
        }
        if (entry.entered) {
          late = entry.late;
          break;
        }
        if (entry.reason === "gone" || hold.lost) throw busy("lease_lost", event, maxWaitMs);
        entry = undefined;
        if (!(await waits.next(attempt, deadline, turn, asked))) throw busy("call_busy", event, maxWaitMs);
      }
    }
    // A claim lost while waiting (the process stalled past the lease): another copy may be running already.
    if (hold.lost) throw busy("lease_lost", event, maxWaitMs);
    await handle({ late, callKey });
  } catch (error) {
    hold.release();
    // Free what this delivery holds, so that a waiting copy or the redelivery handles the event.
    if (together) await settle(store.releaseAndLeave(turn, doneTtlMs), report);
    else {
      if (turn && joined) await settle(store.leaveCall(turn, false, doneTtlMs), report);
      await settle(store.releaseEvent(eventId, owner), report);
    }
    throw error;
  }

  // The handler succeeded: from here on nothing may make Telnyx deliver the event again, so store failures are
  // reported and the answer stays 200 (a retry would run the handler twice). What it holds is renewed until the
  // completion is recorded (or given up), so that no copy can claim the event while it is tried again.
  let held: boolean | undefined;
  try {
    if (together) {
      held = await complete(() => store.completeAndLeave(turn, doneTtlMs, doneTtlMs), leaseMs, report);
    } else {
      // The done mark and leaving the call go out side by side (one round trip for both on a pipelining
      // client): nothing in the call's order depends on the mark.
      const leaving = turn ? complete(() => store.leaveCall(turn, true, doneTtlMs), leaseMs, report) : undefined;
      held = await complete(() => store.completeEvent(eventId, owner, doneTtlMs), leaseMs, report);
      await leaving;
    }
  } finally {
    hold.release();
  }
  if (held === false) {
    report(
      new Error(
        `[@telnyx-voice/webhooks] event ${eventId} (${event.data.event_type}) lost its claim while its handler ran ` +
          `(the process stalled, or the store was unreachable, for longer than leaseMs = ${leaseMs} ms), so another ` +
          "copy may have been handled too. Raise leaseMs, or find what blocks the event loop.",
      ),
    );
  }
}

/**
 * Records a completion (or a leave after one), trying again on a store failure with backoff for about
 * `leaseMs`; resolves `undefined` when every try failed (the last failure reported). A `false` from a retry is
 * taken as `undefined`: the try before may have been recorded with its answer lost, so "not the owner's any
 * more" may be this delivery's own done marker.
 */
async function complete<T>(
  work: () => Promise<T>,
  leaseMs: number,
  report: (error: unknown) => void,
): Promise<T | undefined> {
  const giveUpAt = now() + leaseMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await work();
      return attempt > 0 && result === false ? undefined : result;
    } catch (error) {
      const pause = Math.min(10 * 2 ** attempt, COMPLETE_BACKOFF_MAX_MS);
      if (now() + pause > giveUpAt) {
        report(error);
        return undefined;
      }
      await sleep(pause);
    }
  }
}
