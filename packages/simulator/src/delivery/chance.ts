// The random choices of realistic delivery, drawn per event from (seed, call, event) rather than from one shared
// stream: calls running side by side draw in whatever order their events happen, and the same seed must still
// give each call's events the same duplicates and the same jitter.
import { seededRandom } from "../seeded-random.js";

/** murmur3's finalizer: spreads the bits of a 32-bit integer. */
function mix(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A generator for one event: `callIndex` counts calls in the order they first emitted, `eventIndex` within a call. */
export function eventRandom(seed: number, callIndex: number, eventIndex: number): () => number {
  return seededRandom(mix(mix(mix(seed) ^ callIndex) ^ (eventIndex * 0x9e3779b1)));
}

export interface EventChoices {
  /** Copies to deliver: 1, or 2 when the event is duplicated. */
  copies: number;
  /** Per copy, how long it waits before it joins its call's queue. */
  jitterMs: number[];
}

export function chooseFor(random: () => number, options: { duplicateRate: number; jitterMs: number }): EventChoices {
  const copies = options.duplicateRate > 0 && random() < options.duplicateRate ? 2 : 1;
  const jitterMs = Array.from({ length: copies }, () =>
    options.jitterMs > 0 ? Math.floor(random() * (options.jitterMs + 1)) : 0,
  );
  return { copies, jitterMs };
}
