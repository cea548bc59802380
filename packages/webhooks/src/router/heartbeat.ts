// While a delivery holds an event (waiting for its call, running the handler, recording its completion), its
// claim, pending turn and call lease are renewed every leaseMs / 3. An instance that dies stops renewing, so
// what it held lapses within one lease and a redelivery is handled elsewhere; a handler that runs long keeps
// what it holds.
//
// One timer per router renews everything the router holds, with one store call (`renewHeld`, on a store that
// has it) instead of a timer and a round trip per delivery: with 64 deliveries in flight that was 64 renewals
// every leaseMs / 3, each its own timer and its own round trip (two on a Redis Cluster).
import type { HeldEvent, WebhookStore } from "../store/store.js";

/** What one delivery holds, as the renewals see it. */
export interface Hold {
  /** The claim was found taken over or lapsed: another copy may be handled. */
  readonly lost: boolean;
  /** Stops renewing it (the delivery has ended, or given up what it held). */
  release(): void;
}

class Entry implements Hold {
  lost = false;
  readonly held: HeldEvent;
  readonly #renewals: Renewals;

  constructor(held: HeldEvent, renewals: Renewals) {
    this.held = held;
    this.#renewals = renewals;
  }

  release(): void {
    this.#renewals.release(this);
  }
}

export class Renewals {
  readonly #store: WebhookStore;
  readonly #leaseMs: number;
  readonly #report: (error: unknown) => void;
  readonly #held = new Set<Entry>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #renewing = false;
  /** A store failure was reported and no renewal has succeeded since: an outage is reported once. */
  #failing = false;

  constructor(store: WebhookStore, leaseMs: number, report: (error: unknown) => void) {
    this.#store = store;
    this.#leaseMs = leaseMs;
    this.#report = report;
  }

  /** Renews `held` from the next beat on, until its delivery releases it or its claim is found lost. */
  hold(held: HeldEvent): Hold {
    const entry = new Entry(held, this);
    this.#held.add(entry);
    this.#schedule();
    return entry;
  }

  release(entry: Entry): void {
    this.#held.delete(entry);
    // Nothing left to renew: no beat (a router at rest keeps no timer).
    if (this.#held.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /**
   * The next beat, leaseMs / 3 after the last one ended, while anything is held. A new hold waits at most that
   * long for its first renewal, as a timer of its own started at its claim would.
   */
  #schedule(): void {
    if (this.#timer !== undefined || this.#renewing || this.#held.size === 0) return;
    this.#timer = setTimeout(() => void this.#beat(), this.#leaseMs / 3);
  }

  async #beat(): Promise<void> {
    this.#timer = undefined;
    const entries = [...this.#held];
    if (entries.length === 0) return;
    this.#renewing = true;
    try {
      const { results, failure } = await this.#renew(entries.map((e) => e.held));
      for (const [i, entry] of entries.entries()) {
        if (results[i] !== false) continue;
        // Lost: renewing it again could only extend what is now another owner's turn or lease.
        entry.lost = true;
        this.#held.delete(entry);
      }
      if (failure !== undefined) throw failure;
      this.#failing = false;
    } catch (error) {
      // A store blip: the next beat tries again; a claim lapses only if the store stays away a whole lease.
      if (!this.#failing) this.#report(error);
      this.#failing = true;
    } finally {
      this.#renewing = false;
      this.#schedule();
    }
  }

  /** One call with `renewHeld`; else a `renew` per delivery, side by side (a failed one counts as still held). */
  async #renew(held: HeldEvent[]): Promise<{ results: boolean[]; failure?: unknown }> {
    const store = this.#store;
    if (store.renewHeld) return { results: await store.renewHeld(held, this.#leaseMs) };
    let failure: unknown;
    const results = await Promise.all(
      held.map((h) =>
        store.renew(h.eventId, h.owner, this.#leaseMs, h.callKey).catch((error: unknown) => {
          failure ??= error;
          return true;
        }),
      ),
    );
    return { results, failure };
  }
}
