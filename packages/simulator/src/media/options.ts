// How the simulator delivers media frames to the app: on time and in order by default, or as a real network may
// (jitter, frames swapped, duplicated), drawn from a seed like the webhook delivery options.

export interface MediaDeliveryOptions {
  /** Each media frame first waits a random 0..jitterMs, so frames overtake one another (default 0). */
  jitterMs?: number | undefined;
  /** Share of media frames (0..1) held back and sent after the frame that follows them (default 0). */
  reorderRate?: number | undefined;
  /** Share of media frames (0..1) sent twice (default 0). */
  duplicateRate?: number | undefined;
  /** Seed of those choices: the same seed and the same streams give the same frames late, swapped, doubled (default 1). */
  seed?: number | undefined;
}

export interface ResolvedMediaDelivery {
  jitterMs: number;
  reorderRate: number;
  duplicateRate: number;
  seed: number;
}

const isRate = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;

/** Fills in defaults; a bad value is a RangeError naming the option and what it must be. */
export function resolveMediaDelivery(options: MediaDeliveryOptions = {}): ResolvedMediaDelivery {
  const o = {
    jitterMs: options.jitterMs ?? 0,
    reorderRate: options.reorderRate ?? 0,
    duplicateRate: options.duplicateRate ?? 0,
    seed: options.seed ?? 1,
  };
  if (!(typeof o.jitterMs === "number" && Number.isFinite(o.jitterMs) && o.jitterMs >= 0 && o.jitterMs <= 10_000)) {
    throw new RangeError(`media.jitterMs must be a number from 0 to 10000, got ${String(o.jitterMs)}`);
  }
  if (!isRate(o.reorderRate))
    throw new RangeError(`media.reorderRate must be a number from 0 to 1, got ${String(o.reorderRate)}`);
  if (!isRate(o.duplicateRate)) {
    throw new RangeError(`media.duplicateRate must be a number from 0 to 1, got ${String(o.duplicateRate)}`);
  }
  if (!Number.isInteger(o.seed)) throw new RangeError(`media.seed must be an integer, got ${String(o.seed)}`);
  return o;
}
