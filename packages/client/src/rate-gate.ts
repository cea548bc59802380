// Telnyx's API rate limit headers: a response that says none are left (`x-ratelimit-remaining: 0`) holds the
// client's next requests until `x-ratelimit-reset` (seconds until the window resets), instead of sending them
// into 429s; a 429 without `Retry-After` is retried once the window resets. Waits longer than a call can make
// (MAX_SERVER_DELAY) are not made: the request goes, and its 429 is handed back.

/** Milliseconds until the rate limit window resets, when the headers say none are left in it. */
export function rateLimitReset(headers: Headers, now = Date.now()): number | undefined {
  if (headers.get("x-ratelimit-remaining")?.trim() !== "0") return undefined;
  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset === undefined || !/^\d+(?:\.\d+)?$/.test(reset)) return undefined;
  const value = Number(reset);
  // Telnyx documents seconds until the reset; a value that can only be a Unix time is read as one.
  const ms = value > 1e9 ? value * 1000 - now : value * 1000;
  return Math.max(0, ms);
}

export class RateGate {
  #until = 0;

  /** Notes a response's rate limit headers. */
  observe(headers: Headers, now = Date.now()): void {
    const reset = rateLimitReset(headers, now);
    if (reset !== undefined && now + reset > this.#until) this.#until = now + reset;
  }

  /** Milliseconds the next request should wait (0 when the window is open). */
  delay(now = Date.now()): number {
    return Math.max(0, this.#until - now);
  }
}
