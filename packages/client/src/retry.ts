// When to try a request again, and how long to wait first.

/** Backoff tuning: the first retry waits about `initialDelay` ms, doubling up to `maxDelay` ms. */
export interface BackoffOptions {
  initialDelay?: number | undefined;
  maxDelay?: number | undefined;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelay: 500, maxDelay: 8000 };

/** A server-asked wait longer than this is ignored in favour of our own backoff: a retry should not stall a call. */
const MAX_SERVER_DELAY = 60_000;

/** Statuses worth another attempt when the request is safe to repeat. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Statuses that prove the server did not act on the request, so even a non-idempotent request
 * (create, update, delete without `command_id`) can be sent again: timed out before the request was
 * read (408), refused for a conflicting state (409), rate limited (429).
 */
export function provesNotProcessed(status: number): boolean {
  return status === 408 || status === 409 || status === 429;
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
 * `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date; undefined when absent or unusable,
 * and `Infinity` when the server asks for longer than we are willing to wait (the caller then stops
 * retrying and throws, rather than hammering a rate limit early).
 */
export function serverDelay(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null) {
    const n = Number.parseFloat(ms);
    if (Number.isFinite(n) && n >= 0) return n <= MAX_SERVER_DELAY ? n : Number.POSITIVE_INFINITY;
  }
  const after = headers.get("retry-after");
  if (after === null) return undefined;
  const seconds = Number(after.trim());
  if (after.trim() !== "" && Number.isFinite(seconds)) {
    if (seconds < 0) return undefined;
    return seconds * 1000 <= MAX_SERVER_DELAY ? seconds * 1000 : Number.POSITIVE_INFINITY;
  }
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  const wait = Math.max(0, date - now);
  return wait <= MAX_SERVER_DELAY ? wait : Number.POSITIVE_INFINITY;
}

/** Exponential backoff with jitter (up to 25% less) so that many clients do not retry in step. */
export function backoffDelay(retry: number, backoff: Required<BackoffOptions>): number {
  const base = Math.min(backoff.initialDelay * 2 ** retry, backoff.maxDelay);
  return base * (1 - Math.random() * 0.25);
}

export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0 && !signal) return resolve();
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
