// The attempts of one call. Each has its own AbortController and deadline (`timeout`, covering headers
// and body); the call ends once (`end()`), and then none of its attempts is left open. While a command
// waits for an answer, earlier attempts stay open beside its resends: whichever answers first wins.
import { ATTEMPT_ENDED, deadlinePassed } from "./errors.js";

export interface Attempt {
  readonly number: number;
  readonly controller: AbortController;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Its deadline passed (and so it was aborted). */
  timedOut: boolean;
  /** Settles once, never rejects: with the response, or with why there is none. */
  readonly settled: Promise<Settled>;
  response: Response | undefined;
}

export type Settled =
  | { readonly attempt: Attempt; readonly response: Response; readonly error?: undefined }
  | {
      readonly attempt: Attempt;
      readonly response?: undefined;
      readonly error: unknown;
    };

/** Resolved in place of an attempt when `commandTimeout` passes first. */
export const UNANSWERED = Symbol("unanswered");

export type Sender = (url: string, init: RequestInit) => Promise<Response>;

export class CallAttempts {
  /** Attempts in flight, or answered and not yet released. */
  readonly #open: Attempt[] = [];
  readonly #signal: AbortSignal | undefined;
  #listening = false;
  #ended = false;
  /** The attempt whose response was handed back, until the call ends. */
  winner: Attempt | undefined;
  /** Where the attempts go, for messages about the call once the fetch layer has run. */
  url: string | undefined;

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Starts attempt `number`: sends at once, and aborts it when `timeout` ms pass before the call ends. */
  start(number: number, send: Sender, url: string, init: RequestInit, timeout: number): Attempt {
    const controller = new AbortController();
    let response: Promise<Response>;
    try {
      response = send(url, { ...init, signal: controller.signal });
    } catch (error) {
      // A fetch that throws synchronously (a custom one) fails like one that rejects.
      response = Promise.reject(error);
    }
    const attempt: Attempt = {
      number,
      controller,
      timer: undefined,
      timedOut: false,
      response: undefined,
      settled: response.then(
        (r): Settled => {
          attempt.response = r;
          return { attempt, response: r };
        },
        (error: unknown): Settled => ({ attempt, error }),
      ),
    };
    attempt.timer = setTimeout(() => {
      attempt.timedOut = true;
      controller.abort(deadlinePassed(timeout));
    }, timeout);
    this.#open.push(attempt);
    // The caller's signal aborts every attempt; listened to once per call, and only when there is one.
    if (this.#signal && !this.#listening) {
      this.#listening = true;
      this.#signal.addEventListener("abort", this, { once: true });
    }
    return attempt;
  }

  /**
   * The first open attempt to settle, or UNANSWERED when `hedge` ms pass first. Settled attempts that
   * failed stay in the list until `drop`ped; the next call sees any that settled meanwhile.
   */
  next(hedge: number | undefined): Promise<Settled | typeof UNANSWERED> {
    const open = this.#open;
    if (open.length === 1 && hedge === undefined) return (open[0] as Attempt).settled;
    return new Promise((resolve) => {
      const timer = hedge === undefined ? undefined : setTimeout(resolve, hedge, UNANSWERED);
      const settle = (s: Settled) => {
        clearTimeout(timer);
        resolve(s);
      };
      for (const attempt of open) attempt.settled.then(settle);
    });
  }

  /** How many attempts are still open. */
  get openCount(): number {
    return this.#open.length;
  }

  /** Forgets an attempt that failed or whose response was refused, clearing its deadline (it is already done). */
  drop(attempt: Attempt): void {
    clearTimeout(attempt.timer);
    const i = this.#open.indexOf(attempt);
    if (i !== -1) this.#open.splice(i, 1);
  }

  /** First answer wins: every other open attempt is aborted. The winner's deadline keeps running over its body. */
  keepOnly(winner: Attempt): void {
    for (const attempt of this.#open) {
      if (attempt === winner) continue;
      clearTimeout(attempt.timer);
      attempt.controller.abort(ATTEMPT_ENDED);
    }
    this.#open.length = 0;
    this.#open.push(winner);
  }

  /**
   * The call is over (answered, failed or given up): clear every deadline and abort every attempt still
   * open, except a winner whose body was read to the end (nothing is left open there, and aborting it
   * would cost a DOMException for nothing).
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const attempt of this.#open) {
      clearTimeout(attempt.timer);
      const body = attempt.response?.body;
      if (attempt === this.winner && (body === null || attempt.response?.bodyUsed)) continue;
      attempt.controller.abort(ATTEMPT_ENDED);
    }
    this.#open.length = 0;
    if (this.#listening) this.#signal?.removeEventListener("abort", this);
  }

  /** The caller's signal aborted: so is every open attempt. (An EventListener object: no closure per call.) */
  handleEvent(): void {
    for (const attempt of this.#open) attempt.controller.abort(this.#signal?.reason);
  }
}
