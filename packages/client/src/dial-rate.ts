// `dialRate`: each dial first reserves its slot in the shared store (the store spaces slots 1000 / perSecond
// ms apart, on its own clock, across every instance), then waits for it, abortable by the dial's signal. A slot
// further away than maxWaitMs is not waited for: the dial is refused without being sent.
import { dialRateError, dialRateStoreError, type Errors } from "./errors.js";
import type { CheckedDialRate } from "./options.js";
import { sleep } from "./retry.js";

export class DialPacer {
  readonly #rate: CheckedDialRate;
  readonly #errors: Errors;

  constructor(rate: CheckedDialRate, errors: Errors) {
    this.#rate = rate;
    this.#errors = errors;
  }

  /** Resolves when this dial's slot has come. */
  async wait(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw this.#errors.aborted("POST /calls", signal.reason);
    const { store, key, intervalMs, maxWaitMs } = this.#rate;
    const wait: unknown = await store.reserve(key, intervalMs);
    if (typeof wait !== "number" || !(wait >= 0)) throw dialRateStoreError(wait);
    if (wait > maxWaitMs) throw dialRateError(wait, maxWaitMs, 1000 / intervalMs);
    if (wait === 0) return;
    try {
      await sleep(wait, signal);
    } catch (cause) {
      throw this.#errors.aborted("POST /calls", cause);
    }
  }
}
