// The public key, checked once at construction: present, base64 of 32 bytes, and the canonical encoding of
// an Ed25519 point of prime order. The last check is ours because the providers do not make it: node:crypto
// and Web Crypto verify against small-order keys, under which hand-made signatures pass for any body.
import { decodeBase64 } from "./base64.js";
import { pointProblem } from "./edwards25519.js";
import { WebhookVerificationError } from "./errors.js";

const FROM_PORTAL = "Copy it from the Telnyx portal (Account Settings > Keys & Credentials > Public Key).";

function envPublicKey(): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TELNYX_PUBLIC_KEY;
}

function invalid(detail: string): WebhookVerificationError {
  return new WebhookVerificationError("invalid_public_key", `The public key ${detail}. ${FROM_PORTAL}`);
}

/** The 32 key bytes of `publicKey` (or `TELNYX_PUBLIC_KEY`); throws `WebhookVerificationError` otherwise. */
export function decodePublicKey(publicKey: unknown): Uint8Array {
  const given = publicKey ?? envPublicKey();
  if (given === undefined || (typeof given === "string" && given.trim() === "")) {
    throw new WebhookVerificationError(
      "missing_public_key",
      "No public key: pass new Webhooks({ publicKey }) or set TELNYX_PUBLIC_KEY, using the base64 key from the " +
        "Telnyx portal (Account Settings > Keys & Credentials > Public Key).",
    );
  }
  // A Buffer or number passed by mistake gets the same clear error as a malformed string.
  if (typeof given !== "string") {
    throw invalid(`must be base64 of a 32-byte Ed25519 key (44 characters), but it is a ${typeof given}, not a string`);
  }
  const bytes = decodeBase64(given.trim());
  if (bytes?.length !== 32) {
    throw invalid(
      `must be base64 of a 32-byte Ed25519 key (44 characters), but it ${
        bytes === undefined ? "is not base64" : `decodes to ${bytes.length} bytes`
      }`,
    );
  }
  const problem = pointProblem(bytes);
  if (problem === undefined) return bytes;
  const what =
    problem.kind === "non_canonical"
      ? "is not the canonical encoding of a curve point (its y coordinate is not below 2^255 - 19, or it has " +
        "the sign bit set for x = 0)"
      : problem.kind === "not_on_curve"
        ? "is not a point on the Ed25519 curve"
        : problem.kind === "small_order"
          ? `is a point of small order (order ${problem.order})${
              bytes.every((b) => b === 0) ? ": all zero bytes, a placeholder rather than a key" : ""
            }`
          : "is not of prime order (it has a small-order component)";
  throw invalid(
    `${what}. A key must be the canonical encoding of a point of prime order: under other keys forged ` +
      "signatures verify, so it is refused",
  );
}
