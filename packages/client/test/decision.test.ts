// The retry decision is a pure function of (outcome, attempt, policy, jitter): tested here without sockets.
import { describe, expect, test } from "vitest";
import { MAX_SERVER_DELAY, type Outcome, type RetryPolicy, serverDelay, shouldRetry } from "../src/retry.js";

const BACKOFF = { initialDelay: 500, maxDelay: 8_000 };
const GET: RetryPolicy = { maxRetries: 2, repeatable: true, commandTimeout: undefined, backoff: BACKOFF };
const CREATE: RetryPolicy = { ...GET, repeatable: false };
const COMMAND: RetryPolicy = { ...GET, commandTimeout: 3_000 };

const status = (s: number, retryAfter?: number): Outcome => ({ kind: "status", status: s, retryAfter });

describe("shouldRetry", () => {
  test("stops once the retries are spent, whatever happened", () => {
    for (const outcome of [status(503), { kind: "timeout" } as const, { kind: "network", neverSent: true } as const]) {
      expect(shouldRetry(outcome, 3, GET, 0)).toEqual({ retry: false });
    }
    expect(shouldRetry(status(503), 1, { ...GET, maxRetries: 0 }, 0)).toEqual({ retry: false });
  });

  test("backoff doubles from initialDelay up to maxDelay; jitter takes off up to 25%", () => {
    const long = { ...GET, maxRetries: 10 };
    expect([1, 2, 3, 4, 5, 6].map((n) => shouldRetry(status(503), n, long, 0))).toEqual(
      [500, 1000, 2000, 4000, 8000, 8000].map((delay) => ({ retry: true, delay })),
    );
    expect(shouldRetry(status(503), 1, GET, 0.999)).toEqual({ retry: true, delay: 500 * (1 - 0.999 * 0.25) });
  });

  test("a repeatable request is retried on 408, 409, 429 and 5xx, not on other 4xx", () => {
    for (const s of [408, 409, 429, 500, 502, 503, 504]) expect(shouldRetry(status(s), 1, GET, 0).retry).toBe(true);
    for (const s of [400, 401, 403, 404, 422]) expect(shouldRetry(status(s), 1, GET, 0).retry).toBe(false);
  });

  test("a request that is not repeatable only on statuses proving it was not processed", () => {
    for (const s of [408, 409, 429]) expect(shouldRetry(status(s), 1, CREATE, 0).retry).toBe(true);
    for (const s of [500, 502, 503]) expect(shouldRetry(status(s), 1, CREATE, 0).retry).toBe(false);
  });

  test("the server's wait is used as given, and not waited for past MAX_SERVER_DELAY", () => {
    expect(shouldRetry(status(429, 0), 1, GET, 0.5)).toEqual({ retry: true, delay: 0 });
    expect(shouldRetry(status(503, 1234), 1, GET, 0.5)).toEqual({ retry: true, delay: 1234 });
    expect(shouldRetry(status(429, MAX_SERVER_DELAY + 1), 1, GET, 0)).toEqual({ retry: false });
  });

  test("timeouts: repeatable requests back off, commands resend at once, others stop", () => {
    expect(shouldRetry({ kind: "timeout" }, 1, GET, 0)).toEqual({ retry: true, delay: 500 });
    expect(shouldRetry({ kind: "timeout" }, 1, COMMAND, 0)).toEqual({ retry: true, delay: 0 });
    expect(shouldRetry({ kind: "timeout" }, 1, CREATE, 0)).toEqual({ retry: false });
  });

  test("a connection that never reached the server may be retried for any request", () => {
    expect(shouldRetry({ kind: "network", neverSent: true }, 1, CREATE, 0)).toEqual({ retry: true, delay: 500 });
    expect(shouldRetry({ kind: "network", neverSent: false }, 1, CREATE, 0)).toEqual({ retry: false });
    expect(shouldRetry({ kind: "network", neverSent: false }, 1, GET, 0).retry).toBe(true);
  });

  test("an unanswered command is resent at once while retries remain; nothing else is", () => {
    expect(shouldRetry({ kind: "unanswered" }, 1, COMMAND, 0.9)).toEqual({ retry: true, delay: 0 });
    expect(shouldRetry({ kind: "unanswered" }, 3, COMMAND, 0)).toEqual({ retry: false });
    expect(shouldRetry({ kind: "unanswered" }, 1, GET, 0)).toEqual({ retry: false });
  });
});

describe("Retry-After, as RFC 9110 defines it", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");

  test("delay-seconds: digits only", () => {
    expect(serverDelay(h({ "retry-after": "0" }), now)).toBe(0);
    expect(serverDelay(h({ "retry-after": "2" }), now)).toBe(2000);
    expect(serverDelay(h({ "retry-after": "120" }), now)).toBe(120_000);
  });

  test("what Number() would have read is ignored: hex, exponents, fractions, signs, blanks", () => {
    for (const value of ["0x2", "1e1", "0.5", "-1", "+2", "2s", "", " ", "Infinity", "soon"]) {
      expect(serverDelay(h({ "retry-after": value }), now), value).toBeUndefined();
    }
  });

  test("an HTTP-date as servers send it (IMF-fixdate), or the obsolete RFC 850 form; a past date means now", () => {
    expect(serverDelay(h({ "retry-after": "Wed, 21 Oct 2015 07:28:10 GMT" }), now)).toBe(10_000);
    expect(serverDelay(h({ "retry-after": "Wednesday, 21-Oct-15 07:28:10 GMT" }), now)).toBe(10_000);
    expect(serverDelay(h({ "retry-after": "Wed, 21 Oct 2015 07:27:00 GMT" }), now)).toBe(0);
  });

  test("a date that cannot be read is ignored, not taken as now", () => {
    for (const value of ["Wed, 21 Oct 2015 25:61:00 GMT", "tomorrow", "Wed, 21 Zzz 2015 07:28:10 GMT"]) {
      expect(serverDelay(h({ "retry-after": value }), now), value).toBeUndefined();
    }
  });

  test("retry-after-ms (milliseconds, as some APIs send) wins when well formed", () => {
    expect(serverDelay(h({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(serverDelay(h({ "retry-after-ms": "0x10", "retry-after": "9" }), now)).toBe(9000);
  });
});
