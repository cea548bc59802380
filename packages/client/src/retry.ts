// When to try a request again, and how long to wait first: `shouldRetry` is a pure function of what
// happened, which attempt it was and the request's policy. The fetch layer only sends, times out,
// asks, and waits.

/** What one attempt (or the wait for it) came to. */
export type Outcome =
  /** A response with a status that is not a success; `retryAfter` is the server's wait in ms, if it gave one. */
  | { readonly kind: "status"; readonly status: number; readonly retryAfter: number | undefined }
  /** No complete response within `timeout`. */
  | { readonly kind: "timeout" }
  /** The connection failed; `neverSent` when it failed before a byte reached the server (refused, DNS). */
  | { readonly kind: "network"; readonly neverSent: boolean }
  /** `commandTimeout` passed with the command's attempts still open and unanswered. */
  | { readonly kind: "unanswered" };

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** A GET, or a call command carrying a `command_id`: repeating it cannot do anything twice. */
  readonly repeatable: boolean;
  /** Set for call commands that are resent when unanswered (`commandTimeout`). */
  readonly commandTimeout: number | undefined;
  readonly backoff: { readonly initialDelay: number; readonly maxDelay: number };
}

export type Decision = { readonly retry: false } | { readonly retry: true; readonly delay: number };

const STOP: Decision = { retry: false };
const AT_ONCE: Decision = { retry: true, delay: 0 };

/** A server-asked wait longer than this is not waited for: the error is handed back rather than stall a call. */
export const MAX_SERVER_DELAY = 60_000;

/**
 * Whether to send again after `outcome` on attempt number `attempt` (1 for the first), and after how
 * many ms. `jitter` in [0, 1) spreads the backoff (up to 25% shorter) so many clients do not retry in step.
 */
export function shouldRetry(outcome: Outcome, attempt: number, policy: RetryPolicy, jitter: number): Decision {
  if (attempt > policy.maxRetries) return STOP;
  switch (outcome.kind) {
    case "unanswered":
      // Telnyx's advice: resend a command that got no answer at once, with the same command_id.
      return policy.commandTimeout !== undefined && policy.repeatable ? AT_ONCE : STOP;
    case "timeout":
      if (!policy.repeatable) return STOP;
      return policy.commandTimeout !== undefined ? AT_ONCE : backoff(attempt, policy, jitter);
    case "network":
      // A request that never reached the server can be sent again whatever it is.
      return policy.repeatable || outcome.neverSent ? backoff(attempt, policy, jitter) : STOP;
    case "status": {
      const { status, retryAfter } = outcome;
      const worth = policy.repeatable ? isRetryableStatus(status) : provesNotProcessed(status);
      if (!worth) return STOP;
      if (retryAfter === undefined) return backoff(attempt, policy, jitter);
      // Asked to wait longer than a call can: hand the answer back rather than hammer the limit early.
      return retryAfter > MAX_SERVER_DELAY ? STOP : { retry: true, delay: retryAfter };
    }
  }
}

/** Statuses worth another attempt when the request is safe to repeat. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Statuses that prove the server did not act on the request, so even a non-idempotent request
 * (create, update, delete without `command_id`) can be sent again: timed out before the request was
 * read (408), refused for a conflicting state (409), rate limited (429).
 */
function provesNotProcessed(status: number): boolean {
  return status === 408 || status === 409 || status === 429;
}

/** Exponential: about `initialDelay` before the first retry, doubling up to `maxDelay`, less up to 25% jitter. */
function backoff(attempt: number, policy: RetryPolicy, jitter: number): Decision {
  const { initialDelay, maxDelay } = policy.backoff;
  const base = Math.min(initialDelay * 2 ** (attempt - 1), maxDelay);
  return { retry: true, delay: base * (1 - jitter * 0.25) };
}

/** Connection failures that happen before a byte reaches the server (DNS, refused). */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function connectionNeverSent(error: unknown): boolean {
  for (
    let e = error, depth = 0;
    e && typeof e === "object" && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT_CODES.has(code)) return true;
  }
  return false;
}

/**
 * How long the server asked to wait, in ms: `retry-after-ms` (a plain decimal number, as some APIs send),
 * else `Retry-After` (RFC 9110 section 10.2.3) as delay-seconds or an HTTP-date. Servers send dates as
 * IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), which Date.parse reads. Undefined when absent or not of
 * those forms (`0x2`, `1e1`, `-1`, `soon` are ignored rather than guessed at).
 */
export function serverDelay(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\d+(?:\.\d+)?$/.test(ms)) return Number(ms);
  const after = headers.get("retry-after");
  if (after === null) return undefined;
  if (/^\d+$/.test(after)) return Number(after) * 1000;
  // A date names its month: without a letter, Date.parse would read `0.5` or `-1` as a year.
  const date = /[a-z]/i.test(after) ? Date.parse(after) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}
