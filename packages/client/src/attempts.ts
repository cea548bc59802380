// The attempts of one call. Each has its own AbortController and deadline (`timeout`, covering headers
// and body); the call ends once (`end()`), and then none of its attempts is left open. While a command
// waits for an answer, earlier attempts stay open beside its resends: whichever answers first wins.
import { ATTEMPT_ENDED, deadlinePassed } from "./errors.js";

/** Sends one attempt: `fetch`, the client's `fetch` option, or a test's. */
export type Sender = (url: string, init: RequestInit) => Promise<Response>;

/** What an attempt came to: its response, or why there is none. */
export type Settled =
  | { readonly attempt: Attempt; readonly response: Response; readonly error?: undefined }
  | { readonly attempt: Attempt; readonly response?: undefined; readonly error: unknown };

/** Resolved in place of an attempt when `commandTimeout` passes first. */
export const UNANSWERED = Symbol("unanswered");

export class Attempt {
  readonly number: number;
  readonly controller = new AbortController();
  readonly timeout: number;
  readonly timer: ReturnType<typeof setTimeout>;
  /** Its deadline passed (and so it was aborted). */
  timedOut = false;
  /** The response once it came (headers only; its body may still be arriving). */
  response: Response | undefined = undefined;
  /** fetch's own promise. */
  readonly sent: Promise<Response>;
  #settled: Promise<Settled> | undefined = undefined;

  constructor(number: number, send: Sender, url: string, init: RequestInit, timeout: number) {
    this.number = number;
    this.timeout = timeout;
    let sent: Promise<Response>;
    try {
      sent = send(url, {
        method: init.method as string,
        headers: init.headers as Record<string, string>,
        body: init.body as BodyInit | null,
        redirect: "manual",
        signal: this.controller.signal,
      });
    } catch (error) {
      // A fetch that throws synchronously (a custom one) fails like one that rejects.
      sent = Promise.reject(error);
    }
    this.sent = sent;
    this.timer = setTimeout(expire, timeout, this);
  }

  /** Settles once, never rejects; made only when attempts race (a command's resends). */
  settled(): Promise<Settled> {
    this.#settled ??= this.sent.then(
      (response): Settled => {
        this.response = response;
        return { attempt: this, response };
      },
      (error: unknown): Settled => ({ attempt: this, error }),
    );
    return this.#settled;
  }
}

/** The deadline passed: abort (a named function and an argument, so no closure per attempt). */
function expire(attempt: Attempt): void {
  attempt.timedOut = true;
  attempt.controller.abort(deadlinePassed(attempt.timeout));
}

export class CallAttempts {
  /** Attempts in flight, or answered and not yet released. */
  readonly #open: Attempt[] = [];
  readonly #signal: AbortSignal | undefined;
  #listening = false;
  #ended = false;
  /** The attempt whose response was handed back, until the call ends. */
  winner: Attempt | undefined = undefined;
  /** Where the attempts go, for messages about the call once the fetch layer has run. */
  url: string | undefined = undefined;

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
  }

  /** Starts attempt `number`: sends at once, and aborts it when `timeout` ms pass before the call ends. */
  start(number: number, send: Sender, url: string, init: RequestInit, timeout: number): Attempt {
    const attempt = new Attempt(number, send, url, init, timeout);
    this.#open.push(attempt);
    // The caller's signal aborts every attempt; listened to once per call, and only when there is one.
    if (this.#signal && !this.#listening) {
      this.#listening = true;
      this.#signal.addEventListener("abort", this, { once: true });
    }
    return attempt;
  }

  /** How many attempts are still open. */
  get openCount(): number {
    return this.#open.length;
  }

  /**
   * The first open attempt to settle, or UNANSWERED when `hedge` ms pass first. The next call sees any
   * that settled meanwhile (an attempt stays open until `drop`ped or `keepOnly` picks another).
   */
  next(hedge: number | undefined): Promise<Settled | typeof UNANSWERED> {
    const open = this.#open;
    if (open.length === 1 && hedge === undefined) return (open[0] as Attempt).settled();
    return new Promise((resolve) => {
      const timer = hedge === undefined ? undefined : setTimeout(resolve, hedge, UNANSWERED);
      const settle = (s: Settled) => {
        clearTimeout(timer);
        resolve(s);
      };
      for (const attempt of open) attempt.settled().then(settle);
    });
  }

  /** Forgets an attempt that failed or whose response was refused, clearing its deadline (it is already done). */
  drop(attempt: Attempt): void {
    clearTimeout(attempt.timer);
    const i = this.#open.indexOf(attempt);
    if (i !== -1) this.#open.splice(i, 1);
  }

  /** Forgets an attempt whose response was refused (to be retried), aborting it: its body is not wanted. */
  discard(attempt: Attempt): void {
    this.drop(attempt);
    attempt.controller.abort(ATTEMPT_ENDED);
  }

  /** First answer wins: every other open attempt is aborted. The winner's deadline keeps running over its body. */
  keepOnly(winner: Attempt): void {
    const open = this.#open;
    if (open.length === 1 && open[0] === winner) return;
    for (const attempt of open) {
      if (attempt === winner) continue;
      clearTimeout(attempt.timer);
      attempt.controller.abort(ATTEMPT_ENDED);
    }
    open.length = 0;
    open.push(winner);
  }

  /**
   * The call is over (answered, failed or given up): clear every deadline and abort every attempt still
   * open, except a winner whose body was read to the end (nothing is left open there, and aborting it
   * would dispatch an abort event for nothing).
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const attempt of this.#open) {
      clearTimeout(attempt.timer);
      const response = attempt.response;
      if (attempt === this.winner && response && (response.body === null || response.bodyUsed)) continue;
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
