// The verification pipeline: headers -> timestamp -> signature, shared by `verify` and `unwrap`.
import { decodeBase64 } from "./base64.js";
import { signedMessage } from "./bytes.js";
import type { Ed25519Verifier } from "./crypto/provider.js";
import { RAW_BODY_HINT, WebhookVerificationError } from "./errors.js";
import { readHeader, type WebhookHeaders } from "./headers.js";

export const TIMESTAMP_HEADER = "telnyx-timestamp";
export const SIGNATURE_HEADER = "telnyx-signature-ed25519";

/** The raw body as received: a string, or bytes (`Buffer` and `ArrayBuffer` included). */
export type RawBody = string | Uint8Array | ArrayBuffer;

const DIGITS = /^\d{1,15}$/;

export function toBodyBytesOrString(rawBody: RawBody): string | Uint8Array {
  if (typeof rawBody === "string" || rawBody instanceof Uint8Array) return rawBody;
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  const what = rawBody === null ? "null" : typeof rawBody;
  throw new WebhookVerificationError(
    "invalid_body",
    `The raw body must be a string or bytes (Uint8Array, Buffer, ArrayBuffer), got ${what}. ${RAW_BODY_HINT}`,
  );
}

/** Runs every check but the signature; returns what the signature check needs. */
export function prepare(
  rawBody: RawBody,
  headers: WebhookHeaders,
  toleranceSeconds: number,
): { message: Uint8Array; signature: Uint8Array } {
  const body = toBodyBytesOrString(rawBody);
  const { timestamp, signature } = checkHeaders(headers, toleranceSeconds);
  return { message: signedMessage(timestamp, body), signature };
}

/**
 * The checks that need only the headers: present, a timestamp within the tolerance, a signature of 64 bytes.
 * `laterSeconds` widens the future side for a check made before the body is read, which can take that long:
 * a timestamp too new now may be within the tolerance by the time the body has arrived and verification runs.
 */
export function checkHeaders(
  headers: WebhookHeaders,
  toleranceSeconds: number,
  laterSeconds = 0,
): { timestamp: string; signature: Uint8Array } {
  const timestamp = readHeader(headers, TIMESTAMP_HEADER);
  const signatureText = readHeader(headers, SIGNATURE_HEADER);
  if (timestamp === undefined || signatureText === undefined) {
    const missing = timestamp === undefined ? TIMESTAMP_HEADER : SIGNATURE_HEADER;
    throw new WebhookVerificationError(
      "missing_header",
      `The ${missing} header is missing. Pass the request's headers unchanged (Fetch Headers, Node's req.headers ` +
        "or a plain object); Telnyx sends telnyx-timestamp and telnyx-signature-ed25519 with every API v2 webhook.",
    );
  }
  if (!DIGITS.test(timestamp)) {
    throw new WebhookVerificationError(
      "invalid_timestamp",
      `The ${TIMESTAMP_HEADER} header must be an integer number of Unix seconds, got ${JSON.stringify(timestamp.slice(0, 32))}.`,
    );
  }
  const age = Math.floor(Date.now() / 1000) - Number(timestamp);
  if (age > toleranceSeconds) {
    throw new WebhookVerificationError(
      "timestamp_too_old",
      `The webhook was signed ${age}s ago, more than the ${toleranceSeconds}s tolerance: it may be a replay. ` +
        "If deliveries are legitimately late, check the server clock (NTP) or raise `tolerance`.",
    );
  }
  if (-age > toleranceSeconds + laterSeconds) {
    const hint =
      timestamp.length >= 13 ? " It looks like milliseconds; Telnyx sends seconds." : " Check the server clock (NTP).";
    throw new WebhookVerificationError(
      "timestamp_too_new",
      `The webhook's timestamp is ${-age}s in the future, more than the ${toleranceSeconds}s tolerance.${hint}`,
    );
  }
  const signature = decodeBase64(signatureText);
  if (signature?.length !== 64) {
    throw new WebhookVerificationError(
      "invalid_signature_format",
      signature === undefined
        ? `The ${SIGNATURE_HEADER} header is not base64. Pass the header value unchanged.`
        : `The ${SIGNATURE_HEADER} header decodes to ${signature.length} bytes; an Ed25519 signature has 64. Pass the header value unchanged.`,
    );
  }
  return { timestamp, signature };
}

export function mismatch(): WebhookVerificationError {
  return new WebhookVerificationError(
    "signature_mismatch",
    "The telnyx-signature-ed25519 signature does not match this body, timestamp and public key. " +
      `${RAW_BODY_HINT} Also check that the public key is your account's, from the Telnyx portal ` +
      "(Account Settings > Keys & Credentials > Public Key).",
  );
}

/**
 * Whether R, the signature's first 32 bytes, encodes the identity point. Under a key of prime order it is
 * the one small-order R a cofactorless check can accept (with S = k·a, so only the key's holder can make it),
 * and runtimes differ on it: OpenSSL (node:crypto and Web Crypto on Node 20) and @noble/ed25519 accept it,
 * while the Web Crypto spec and newer Node (nodejs/node#64026) refuse small-order R. Refusing it here makes
 * every provider decide alike; Telnyx's R = [r]B, with r from SHA-512, is never the identity.
 */
function identityR(signature: Uint8Array): boolean {
  for (let i = 1; i < 32; i++) if (signature[i] !== 0) return false;
  return signature[0] === 1;
}

/** Verifies; synchronous when the verifier is (node:crypto), so the hot path awaits nothing. */
export function verifyWith(
  verifier: Ed25519Verifier,
  rawBody: RawBody,
  headers: WebhookHeaders,
  toleranceSeconds: number,
): Promise<void> {
  let result: boolean | Promise<boolean>;
  try {
    const { message, signature } = prepare(rawBody, headers, toleranceSeconds);
    result = identityR(signature) ? false : verifier.verify(message, signature);
  } catch (error) {
    return Promise.reject(error);
  }
  if (result === true) return Promise.resolve();
  if (result === false) return Promise.reject(mismatch());
  return result.then((ok) => {
    if (!ok) throw mismatch();
  });
}
