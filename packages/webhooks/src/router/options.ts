// The options of `webhooks.router(...)`, and the one place they are checked. As with `new Webhooks`, each
// falls back when absent or `undefined`, and a value out of range is refused at construction, never clamped.
import type { WebhookEvent } from "../events.js";
import { memoryStore } from "../store/memory.js";
import type { WebhookStore } from "../store/store.js";

/** The payload fields that can name an event's call. */
export type CallKeyField = "call_control_id" | "call_session_id" | "call_leg_id";

export interface RouterOptions {
  /**
   * Where claims, leases and the order of each call's events are kept. Default: a fresh `memoryStore()`, which
   * gives all the guarantees among the deliveries this process receives. With many instances, give them one
   * shared store: `redisStore` from `@telnyx-voice/redis`.
   */
  store?: WebhookStore | undefined;
  /**
   * Milliseconds each event of a call waits after it arrives for earlier events of its call (by `occurred_at`)
   * that are still on their way; those go first. 0 (default): arrival order. Each call event's answer is delayed
   * by up to this much, so keep it small (about twice the spread of your deliveries). From 0 to 60000, and
   * less than `maxWaitMs`.
   */
  reorderWindowMs?: number | undefined;
  /**
   * What an event's call is, for one-at-a-time and ordering: a payload field, or a function returning the key,
   * or `undefined` for events that need no serialising. Events without one run as they come (still exactly
   * once). Default: the call's leg, `call_leg_id`, which every call event carries (recording events carry no
   * `call_control_id`), else `call_control_id`. `"call_session_id"` serialises every leg of a session together.
   */
  callKey?: CallKeyField | ((event: WebhookEvent) => string | undefined) | undefined;
  /**
   * How long what a delivery holds (the event's claim, its call's lease) outlives its instance: renewed every
   * `leaseMs / 3` while the delivery lives, it lapses within `leaseMs` of the instance dying, and the redelivery
   * is handled elsewhere. From 100 to 300000; default 10000 (Telnyx retries for about a minute).
   */
  leaseMs?: number | undefined;
  /**
   * How long a handled event is remembered (its done marker), and a call's order records after its last
   * event: a copy delivered within it is answered 200 without running the handler again. Longer than
   * Telnyx's retry horizon (about a minute). From 1000 to 604800000 (a week), more than `leaseMs`;
   * default 3600000 (an hour).
   */
  doneTtlMs?: number | undefined;
  /**
   * The longest a delivery waits before its handler starts (for another copy's outcome, its call, its reorder
   * window); past it the answer is 503 with `Retry-After`, and Telnyx delivers again. Keep it, plus your
   * handler's time, under your connection's `webhook_timeout_secs`. From 1 to 300000, more than
   * `reorderWindowMs`; default 3000.
   */
  maxWaitMs?: number | undefined;
}

export interface ResolvedRouterOptions {
  store: WebhookStore;
  reorderWindowMs: number;
  callKey: (event: WebhookEvent) => string | undefined;
  leaseMs: number;
  doneTtlMs: number;
  maxWaitMs: number;
}

const CALL_KEY_FIELDS: readonly CallKeyField[] = ["call_control_id", "call_session_id", "call_leg_id"];

const STORE_METHODS = [
  "claimEvent",
  "completeEvent",
  "releaseEvent",
  "renew",
  "joinCall",
  "enterCall",
  "leaveCall",
  "reserve",
] as const;

/**
 * The combined operations: all four or none. An event claimed with `claimAndJoin` may be kept where only they
 * look (redisStore keys it with its call), so a store with some of them but not the rest would leave the router
 * completing or renewing a claim the store cannot find.
 */
const COMBINED_METHODS = ["claimAndJoin", "completeAndLeave", "releaseAndLeave", "renewHeld"] as const;

interface Range {
  fallback: number;
  min: number;
  max: number;
  why: string;
}

const RANGES = {
  reorderWindowMs: { fallback: 0, min: 0, max: 60_000, why: "how long a call event waits for earlier ones" },
  leaseMs: { fallback: 10_000, min: 100, max: 300_000, why: "how soon a dead instance's events are freed" },
  doneTtlMs: { fallback: 3_600_000, min: 1000, max: 604_800_000, why: "how long handled events are remembered" },
  maxWaitMs: { fallback: 3000, min: 1, max: 300_000, why: "the longest wait before 503" },
} satisfies Record<string, Range>;

function numberOption(name: keyof typeof RANGES, value: unknown): number {
  const range: Range = RANGES[name];
  if (value === undefined) return range.fallback;
  const expected =
    `\`${name}\` must be a finite number of milliseconds from ${range.min} to ${range.max} ` +
    `(default ${range.fallback}; ${range.why})`;
  if (typeof value !== "number") {
    throw new TypeError(`webhooks.router: ${expected}, got a ${value === null ? "null" : typeof value}.`);
  }
  if (!Number.isFinite(value) || value < range.min || value > range.max) {
    throw new RangeError(`webhooks.router: ${expected}, got ${String(value)}.`);
  }
  return value;
}

function payloadField(field: CallKeyField): (event: WebhookEvent) => string | undefined {
  return (event) => {
    const value = (event.data.payload as Record<string, unknown> | undefined)?.[field];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
}

/** A call event's leg: `call_leg_id` is on every call event; `call_control_id` (1:1 with it) on most. */
const callLeg = (() => {
  const leg = payloadField("call_leg_id");
  const control = payloadField("call_control_id");
  return (event: WebhookEvent) => leg(event) ?? control(event);
})();

function checkCallKey(value: unknown): (event: WebhookEvent) => string | undefined {
  if (value === undefined) return callLeg;
  if (typeof value === "function") {
    const pick = value as (event: WebhookEvent) => unknown;
    return (event) => {
      const key = pick(event);
      if (key === undefined || (typeof key === "string" && key !== "")) return key;
      throw new TypeError(
        `webhooks.router: the \`callKey\` function must return a non-empty string or undefined, got ${
          typeof key === "string" ? "an empty string" : `a ${key === null ? "null" : typeof key}`
        } for event ${event.data.id} (${event.data.event_type}).`,
      );
    };
  }
  if (typeof value === "string" && (CALL_KEY_FIELDS as readonly string[]).includes(value)) {
    return payloadField(value as CallKeyField);
  }
  throw new TypeError(
    `webhooks.router: \`callKey\` must be one of ${CALL_KEY_FIELDS.map((f) => `"${f}"`).join(", ")} or a function ` +
      `(event) => string | undefined, got ${typeof value === "string" ? `"${value}"` : `a ${value === null ? "null" : typeof value}`}.`,
  );
}

function checkStore(value: unknown, report: (error: unknown) => void): WebhookStore {
  // The router's own store warns where the app's errors go (`new Webhooks({ onError })`).
  if (value === undefined) return memoryStore({ onWarning: report });
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `webhooks.router: \`store\` must be a WebhookStore such as memoryStore() or redisStore({ url }), got ${
        value === null ? "null" : `a ${typeof value}`
      }.`,
    );
  }
  const missing = STORE_METHODS.filter((name) => typeof (value as Record<string, unknown>)[name] !== "function");
  if (missing.length > 0) {
    throw new TypeError(
      `webhooks.router: \`store\` lacks ${missing.join(", ")}: it must implement the WebhookStore interface ` +
        "(memoryStore() from @telnyx-voice/webhooks, redisStore from @telnyx-voice/redis, or your own).",
    );
  }
  const lacking = COMBINED_METHODS.filter((name) => typeof (value as Record<string, unknown>)[name] !== "function");
  if (lacking.length > 0 && lacking.length < COMBINED_METHODS.length) {
    throw new TypeError(
      `webhooks.router: \`store\` lacks ${lacking.join(", ")}: ${COMBINED_METHODS.join(", ")} go together ` +
        "(an event claimed with claimAndJoin is completed, released and renewed only through them); implement all or none.",
    );
  }
  return value as WebhookStore;
}

export function resolveRouterOptions(
  options: RouterOptions,
  report: (error: unknown) => void = () => {},
): ResolvedRouterOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `webhooks.router() takes an options object, such as { store, reorderWindowMs }, got ${
        options === null ? "null" : `a ${typeof options}`
      }.`,
    );
  }
  const resolved = {
    store: checkStore(options.store, report),
    reorderWindowMs: numberOption("reorderWindowMs", options.reorderWindowMs),
    callKey: checkCallKey(options.callKey),
    leaseMs: numberOption("leaseMs", options.leaseMs),
    doneTtlMs: numberOption("doneTtlMs", options.doneTtlMs),
    maxWaitMs: numberOption("maxWaitMs", options.maxWaitMs),
  };
  if (resolved.maxWaitMs <= resolved.reorderWindowMs) {
    throw new RangeError(
      `webhooks.router: \`maxWaitMs\` (${resolved.maxWaitMs}) must be more than \`reorderWindowMs\` ` +
        `(${resolved.reorderWindowMs}): every call event waits out the window before its handler starts.`,
    );
  }
  if (resolved.doneTtlMs <= resolved.leaseMs) {
    throw new RangeError(
      `webhooks.router: \`doneTtlMs\` (${resolved.doneTtlMs}) must be more than \`leaseMs\` (${resolved.leaseMs}): ` +
        "a handled event must be remembered for longer than Telnyx redelivers it (about a minute; default an hour).",
    );
  }
  return resolved;
}
