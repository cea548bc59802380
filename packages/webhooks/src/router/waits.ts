// Bounded waits for the router. A delivery that must wait (a copy of its event in progress, its call busy,
// an earlier event of its call pending) polls the store, 5 ms at first, backing off to 50 ms; a store with
// `onChange` (the memory store) ends the wait as soon as it may go on, and is polled only as a backstop
// (25 ms backing off to 250 ms). No wait outlives its deadline.
//
// Waits are kept by what they wait on, and a change wakes only the waits it can let go on: the copies of
// the one event completed or released, the one turn of a call that may enter now. Waking every waiter on
// every change made the cost grow with the square of the deliveries waiting (1,000 calls x 5 events
// arriving together stalled the event loop for seconds).
import type { WebhookStore } from "../store/store.js";

const FIRST_POLL_MS = 5;
const LAST_POLL_MS = 50;
// With a store that notifies, a wait ends when what it waits on changes; polls only back that up for what no
// operation announces (a lease lapsing: a stalled owner, leaseMs at least 100 ms), so they are sparse. At
// the 5 ms pace thousands of waiting turns would poll the store for nothing.
const FIRST_BACKSTOP_MS = 25;
const LAST_BACKSTOP_MS = 250;
// How long a change is remembered (between one and two of these): longer than a store call takes to answer.
const RECENT_MS = 1000;

/** A monotonic clock where the runtime has one (deadlines must not move with the wall clock). */
export const now: () => number =
  typeof performance !== "undefined" && typeof performance.now === "function"
    ? () => performance.now()
    : () => Date.now();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** What a delivery waits on: the outcome of another copy of its event, or its turn in its call. */
export type WaitOn = { eventId: string; callKey?: undefined } | { callKey: string; eventId: string };

/**
 * How many waits a store change ended early, over every router of this module. Not part of the package's
 * API: tests and benchmarks read it to check that wake-ups grow with the deliveries, not their square.
 */
export const wakeups = { count: 0 };

/** One key per thing waited on: an event's outcome, or one event's turn in its call. */
const keyOf = (on: { eventId?: string | undefined; callKey?: string | undefined }): string | undefined =>
  on.eventId === undefined ? undefined : on.callKey === undefined ? `e ${on.eventId}` : `c ${on.callKey} ${on.eventId}`;

export class Waits {
  readonly #store: WebhookStore;
  #subscribed = false;
  /** The wake function of each wait, by what it waits on. */
  readonly #waiting = new Map<string, Set<() => void>>();
  /**
   * When each thing waited on last changed (on {@link now}), this second and the one before, and when a change
   * that named nothing came: a change announced after a delivery asked the store, but before it began to wait,
   * would otherwise wake no one, and the delivery would sleep until its backstop poll.
   */
  #changed = new Map<string, number>();
  #changedBefore = new Map<string, number>();
  #rotatedAt = now();
  #anyChangeAt = Number.NEGATIVE_INFINITY;

  constructor(store: WebhookStore) {
    this.#store = store;
  }

  /**
   * Waits before the next poll (`attempt` counts from 0), or until the store reports a change that lets
   * what waits `on` go on. Resolves `false` at once when `deadline` (on {@link now}) has passed: the caller
   * stops waiting. Resolves `true` at once when such a change came at or after `asked` (when the caller last
   * asked the store): the store's answer may predate it.
   */
  next(attempt: number, deadline: number, on: WaitOn, asked = Number.POSITIVE_INFINITY): Promise<boolean> {
    const left = deadline - now();
    if (left <= 0) return Promise.resolve(false);
    this.#subscribe();
    const key = keyOf(on) as string;
    const changedAt = this.#changed.get(key) ?? this.#changedBefore.get(key) ?? Number.NEGATIVE_INFINITY;
    if (Math.max(changedAt, this.#anyChangeAt) >= asked) {
      wakeups.count++;
      return Promise.resolve(true);
    }
    const [first, last] = this.#store.onChange ? [FIRST_BACKSTOP_MS, LAST_BACKSTOP_MS] : [FIRST_POLL_MS, LAST_POLL_MS];
    const delay = Math.min(first * 2 ** Math.min(attempt, 4), last, left);
    const waiting = this.#waiting;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const set = waiting.get(key);
        set?.delete(done);
        if (set?.size === 0) waiting.delete(key);
        resolve(true);
      };
      const timer = setTimeout(done, delay);
      waiting.set(key, (waiting.get(key) ?? new Set()).add(done));
    });
  }

  #subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    // Once per router, for the store's lifetime (the router holds the store).
    this.#store.onChange?.((change) => {
      const key = change && keyOf(change);
      this.#remember(key);
      // A change that names no one event (a store that cannot tell) may let anyone go on.
      for (const set of key === undefined ? [...this.#waiting.values()] : [this.#waiting.get(key)]) {
        for (const wake of set ?? []) {
          wakeups.count++;
          wake();
        }
      }
    });
  }

  #remember(key: string | undefined): void {
    const at = now();
    if (key === undefined) {
      this.#anyChangeAt = at;
      return;
    }
    // Two generations, a second each: what is remembered is bounded by the changes of the last two seconds.
    if (at - this.#rotatedAt >= RECENT_MS) {
      this.#changedBefore = this.#changed;
      this.#changed = new Map();
      this.#rotatedAt = at;
    }
    this.#changed.set(key, at);
  }
}
