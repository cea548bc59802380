// How webhooks are delivered: redelivery (attempts, backoff, timeout) and realism (duplicates, concurrency,
// jitter, seed). The defaults are polite delivery: each call's events once, in order, one at a time.

export interface RedeliveryOptions {
  /** Attempts per event, first delivery included (default 5). A command's `webhook_retries_policies` overrides it. */
  maxAttempts?: number | undefined;
  /** Delay before the first redelivery; doubles on each further attempt (default 250 ms). */
  baseDelayMs?: number | undefined;
  /**
   * How long one POST may take before it counts as failed (default 5000 ms). The application's
   * `webhook_timeout_secs` overrides it for its calls.
   */
  timeoutMs?: number | undefined;
}

/** Delivery as Telnyx does it: duplicated, concurrent, out of order. All default to polite delivery. */
export interface DeliveryOptions {
  /**
   * Share of events (0..1) delivered twice: a second copy with the same `data.id` and payload, signed anew,
   * delivered (and redelivered) on its own. Its `meta.attempt` starts at 1 like the original's, as a Telnyx
   * duplicate does: only `data.id` tells a duplicate apart. Default 0.
   */
  duplicateRate?: number | undefined;
  /** Up to this many of one call's deliveries in flight at once (an integer >= 1; default 1). */
  concurrency?: number | undefined;
  /** Each delivery first waits a random 0..jitterMs, so a call's events overtake one another (default 0). */
  jitterMs?: number | undefined;
  /** Seed for duplicates and jitter: the same seed and the same calls give the same duplicates and order (default 1). */
  seed?: number | undefined;
}

export interface ResolvedDelivery {
  maxAttempts: number;
  baseDelayMs: number;
  timeoutMs: number;
  duplicateRate: number;
  concurrency: number;
  jitterMs: number;
  seed: number;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Fills in defaults; a bad value is a RangeError saying which option and what it must be. */
export function resolveDelivery(redelivery: RedeliveryOptions = {}, delivery: DeliveryOptions = {}): ResolvedDelivery {
  // `?? default` per field, not a spread: an option given as undefined means its default.
  const r = {
    maxAttempts: redelivery.maxAttempts ?? 5,
    baseDelayMs: redelivery.baseDelayMs ?? 250,
    timeoutMs: redelivery.timeoutMs ?? 5000,
  };
  const d = {
    duplicateRate: delivery.duplicateRate ?? 0,
    concurrency: delivery.concurrency ?? 1,
    jitterMs: delivery.jitterMs ?? 0,
    seed: delivery.seed ?? 1,
  };
  check(
    Number.isInteger(r.maxAttempts) && r.maxAttempts >= 1,
    `redelivery.maxAttempts must be an integer >= 1, got ${r.maxAttempts}`,
  );
  check(
    isNumber(r.baseDelayMs) && r.baseDelayMs >= 0,
    `redelivery.baseDelayMs must be a number >= 0, got ${r.baseDelayMs}`,
  );
  check(isNumber(r.timeoutMs) && r.timeoutMs > 0, `redelivery.timeoutMs must be a number > 0, got ${r.timeoutMs}`);
  check(
    isNumber(d.duplicateRate) && d.duplicateRate >= 0 && d.duplicateRate <= 1,
    `delivery.duplicateRate must be a number from 0 to 1, got ${d.duplicateRate}`,
  );
  check(
    Number.isInteger(d.concurrency) && d.concurrency >= 1,
    `delivery.concurrency must be an integer >= 1, got ${d.concurrency}`,
  );
  check(isNumber(d.jitterMs) && d.jitterMs >= 0, `delivery.jitterMs must be a number >= 0, got ${d.jitterMs}`);
  check(Number.isInteger(d.seed), `delivery.seed must be an integer, got ${d.seed}`);
  return { ...r, ...d };
}

/** The default retry delays: baseDelayMs, doubling, for maxAttempts - 1 redeliveries. */
export const defaultRetries = (o: ResolvedDelivery): number[] =>
  Array.from({ length: o.maxAttempts - 1 }, (_, i) => o.baseDelayMs * 2 ** i);
