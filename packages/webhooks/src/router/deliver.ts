// One delivery through the store: exactly once per event, one at a time and in order per call.
//
//   claimEvent ── done ──> return (answered 200; the app is not called)
//       │ busy: another copy in progress ──> poll until it is done (return) or released (claim it), or 503
//       ▼ claimed (heartbeat renews from here on)
//   joinCall (at arrival) ─> wait out reorderWindowMs ─> enterCall until this event is the call's earliest
//       pending one and the call is free, or 503
//       ▼ entered (late: an event of the call that occurred later was already handled)
//   handler ── ok ──> completeEvent, leaveCall(handled) ──> 200
//           └─ throws ─> leaveCall, releaseEvent ──> 500, and the redelivery (or a waiting copy) handles it
import { WebhookBusyError } from "../errors.js";
import type { WebhookEvent } from "../events.js";
import type { CallTurn } from "../store/store.js";
import { startHeartbeat } from "./heartbeat.js";
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
  owner: () => string;
  report: (error: unknown) => void;
  /** Reports store failures, at most one in a while: an outage fails every delivery alike. */
  reportStore: (error: unknown) => void;
}

/** How many times a completion is tried before giving up (the handler succeeded; the marker matters). */
const COMPLETE_TRIES = 3;

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

  for (let attempt = 0; ; attempt++) {
    const claim = await beforeHandler(store.claimEvent(eventId, owner, leaseMs), event, context);
    if (claim === "done") return;
    if (claim === "claimed") break;
    if (!(await waits.next(attempt, deadline, { eventId }))) throw busy("event_in_progress", event, maxWaitMs);
  }

  const heartbeat = startHeartbeat(() => store.renew(eventId, owner, leaseMs, callKey), leaseMs / 3, report);
  const turn: CallTurn | undefined =
    callKey === undefined
      ? undefined
      : { callKey, eventId, owner, occurredAtMs: occurredAtMs(event.data.occurred_at) ?? Date.now() };
  let joined = false;
  try {
    let late = false;
    if (turn) {
      await beforeHandler(store.joinCall(turn, leaseMs, doneTtlMs), event, context);
      joined = true;
      // Earlier events of the call still on their way join during the window and go first.
      const window = arrived + reorderWindowMs - now();
      if (window > 0) await sleep(window);
      for (let attempt = 0; ; attempt++) {
        const entry = await beforeHandler(store.enterCall(turn, leaseMs), event, context);
        if (entry.entered) {
          late = entry.late;
          break;
        }
        if (entry.reason === "gone" || heartbeat.lost) throw busy("lease_lost", event, maxWaitMs);
        if (!(await waits.next(attempt, deadline, turn))) throw busy("call_busy", event, maxWaitMs);
      }
    }
    // A claim lost while waiting (the process stalled past the lease): another copy may be running already.
    if (heartbeat.lost) throw busy("lease_lost", event, maxWaitMs);
    await handle({ late, callKey });
  } catch (error) {
    heartbeat.stop();
    // Free what this delivery holds, so that a waiting copy or the redelivery handles the event.
    if (turn && joined) await settle(store.leaveCall(turn, false, doneTtlMs), report);
    await settle(store.releaseEvent(eventId, owner), report);
    throw error;
  } finally {
    heartbeat.stop();
  }

  // The handler succeeded: from here on nothing may make Telnyx deliver the event again, so store failures are
  // reported and the answer stays 200 (a retry would run the handler twice). The done mark is written first;
  // leaving the call goes out beside it (one round trip for both on a pipelining client), as nothing in the
  // call's order depends on the mark.
  const completing = complete(store, eventId, owner, doneTtlMs, report);
  const leaving = turn ? settle(store.leaveCall(turn, true, doneTtlMs), report) : undefined;
  const held = await completing;
  await leaving;
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

/** Marks the event done, trying again on a store failure; `undefined` when every try failed (reported). */
async function complete(
  store: ResolvedRouterOptions["store"],
  eventId: string,
  owner: string,
  doneTtlMs: number,
  report: (error: unknown) => void,
): Promise<boolean | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.completeEvent(eventId, owner, doneTtlMs);
    } catch (error) {
      if (attempt === COMPLETE_TRIES - 1) {
        report(error);
        return undefined;
      }
      await sleep(10 * 4 ** attempt);
    }
  }
}
