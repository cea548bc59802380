// Bounded waits for the router. A delivery that must wait (a copy of its event in progress, its call busy,
// an earlier event of its call pending) polls the store, 5 ms at first, backing off to 50 ms; a store with
// `onChange` (the memory store) ends the wait as soon as something changed. No wait outlives its deadline.
import type { WebhookStore } from "../store/store.js";

const FIRST_POLL_MS = 5;
const LAST_POLL_MS = 50;

/** A monotonic clock where the runtime has one (deadlines must not move with the wall clock). */
export const now: () => number =
  typeof performance !== "undefined" && typeof performance.now === "function"
    ? () => performance.now()
    : () => Date.now();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export class Waits {
  readonly #store: WebhookStore;
  #subscribed = false;
  readonly #waiting = new Set<() => void>();

  constructor(store: WebhookStore) {
    this.#store = store;
  }

  /**
   * Waits before the next poll (`attempt` counts from 0), or until the store reports a change. Resolves
   * `false` at once when `deadline` (on {@link now}) has passed: the caller stops waiting.
   */
  next(attempt: number, deadline: number): Promise<boolean> {
    const left = deadline - now();
    if (left <= 0) return Promise.resolve(false);
    this.#subscribe();
    const delay = Math.min(FIRST_POLL_MS * 2 ** Math.min(attempt, 4), LAST_POLL_MS, left);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve(true);
      };
      const timer = setTimeout(done, delay);
      this.#waiting.add(done);
    });
  }

  #subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    // Once per router, for the store's lifetime (the router holds the store).
    this.#store.onChange?.(() => {
      for (const wake of [...this.#waiting]) wake();
    });
  }
}
