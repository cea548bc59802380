// The stream auth token check. Telnyx sends the token it was given (`stream_auth_token`) in the
// x-telnyx-streaming-auth-token header of the WebSocket upgrade and again in the `connected` frame.

export const TOKEN_HEADER = "x-telnyx-streaming-auth-token";

const encoder = new TextEncoder();

/**
 * Compares two byte strings in time that depends only on `expected`'s length: every byte of `expected` is read
 * and compared whatever the first difference, so that the time to refuse a guess says nothing about how much
 * of it was right. (Node's crypto.timingSafeEqual does the same, but needs equal lengths and Node.)
 */
export function constantTimeEqual(expected: Uint8Array, given: Uint8Array): boolean {
  let difference = expected.length ^ given.length;
  const n = expected.length;
  const m = given.length;
  for (let i = 0; i < n; i++) {
    // A shorter `given` is compared cyclically (or against 0 when empty): same work, and already unequal.
    const g = m === 0 ? 0 : (given[i % m] as number);
    difference |= (expected[i] as number) ^ g;
  }
  return difference === 0;
}

/** The configured token, encoded once. */
export class TokenCheck {
  readonly #expected: Uint8Array;

  constructor(token: string) {
    this.#expected = encoder.encode(token);
  }

  matches(given: string | undefined): boolean {
    if (given === undefined) return false;
    return constantTimeEqual(this.#expected, encoder.encode(given));
  }
}

/** The header's value from Node's headers (lower-cased names, arrays for repeats) or a Fetch `Headers`. */
export function tokenFromHeaders(headers: HeadersLike): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(TOKEN_HEADER) ?? undefined;
  }
  const value = (headers as Record<string, string | string[] | undefined>)[TOKEN_HEADER];
  return Array.isArray(value) ? value[0] : value;
}

/** Node's `req.headers` or a Fetch `Headers` (anything with `get`). */
export type HeadersLike = { get(name: string): string | null } | Record<string, string | string[] | undefined>;
