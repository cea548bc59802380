// Property: any single-byte change to the body, the timestamp or the signature is rejected.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebhookVerificationError } from "../src/node.js";
import { nodeKeys, nodeSign, nowSeconds, providers, webhooksFor } from "./helpers.js";

const RUNS = 1000;

function flip(bytes: Uint8Array, index: number, mask: number): Uint8Array {
  const copy = bytes.slice();
  copy[index % copy.length] = (copy[index % copy.length] ?? 0) ^ mask;
  return copy;
}

async function reasonOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).reason;
  }
}

describe.each(providers)("tampering with $name", (c) => {
  const keys = nodeKeys();
  beforeEach(() => c.setup?.());
  afterEach(() => vi.unstubAllGlobals());

  it(`rejects every one-byte change of body, timestamp or signature (${RUNS} cases)`, async () => {
    const webhooks = webhooksFor(c, { publicKey: keys.publicKey });
    const textEncoder = new TextEncoder();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json().map((json) => textEncoder.encode(json)),
          fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        ),
        fc.integer({ min: -290, max: 290 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (body, offset, index, mask) => {
          const timestamp = nowSeconds() + offset;
          const headers = nodeSign(keys, body, timestamp);
          // The untouched webhook verifies, so each rejection below is due to the flip alone.
          expect(await reasonOf(webhooks.verify(body, headers))).toBeUndefined();

          expect(await reasonOf(webhooks.verify(flip(body, index, mask), headers))).toBe("signature_mismatch");

          const signature = Buffer.from(headers["telnyx-signature-ed25519"], "base64");
          const badSignature = Buffer.from(flip(signature, index, mask)).toString("base64");
          expect(await reasonOf(webhooks.verify(body, { ...headers, "telnyx-signature-ed25519": badSignature }))).toBe(
            "signature_mismatch",
          );

          const ts = headers["telnyx-timestamp"];
          const at = index % ts.length;
          const badTimestamp = ts.slice(0, at) + String.fromCharCode(ts.charCodeAt(at) ^ mask) + ts.slice(at + 1);
          expect(await reasonOf(webhooks.verify(body, { ...headers, "telnyx-timestamp": badTimestamp }))).toMatch(
            /^(invalid_timestamp|timestamp_too_old|timestamp_too_new|signature_mismatch)$/,
          );
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);
});
