// `@telnyx-voice/webhooks/testing`: sign webhooks the way Telnyx does, for simulators and users' tests.
// This build signs with Web Crypto's Ed25519 where the runtime has it (Deno, Bun, Workers, current browsers)
// and @noble/ed25519 otherwise; Node gets ./testing-node.ts (node:crypto, synchronous) through the package's
// "node" export condition. Private keys never appear in error messages.

import { type KeyPair, type SignatureHeaders, signingHelpers, type WebhookSigner } from "./signer/signer.js";
import { webSigning } from "./signer/web.js";

/**
 * The conformance cases of the `WebhookStore` interface, for any test runner:
 * `for (const c of storeConformance(() => myStore)) it(c.name, c.run)`. memoryStore and redisStore pass them.
 */
export { type StoreConformanceCase, storeConformance } from "./store/conformance.js";
export type { KeyPair, SignatureHeaders, WebhookSigner };

const helpers = signingHelpers(webSigning);

/**
 * A signer for one private key (base64 of a 32-byte seed, or 64 bytes of seed + public key), decoded
 * strictly and imported once: `await signer.sign(body)`, or `signer.signSync(body)` on Node.
 * Throws a `TypeError` (without the key) when the key is not base64 of 32 or 64 bytes.
 */
export const createSigner: (privateKey: string) => WebhookSigner = helpers.createSigner;

/**
 * Signs `${timestamp}|${body}` as Telnyx does and returns the two headers to send with `body`.
 * `timestamp` is Unix seconds (default: now). Send `body` byte for byte as signed.
 */
export const signPayload: (
  body: string | Uint8Array,
  privateKey: string,
  timestamp?: number | undefined,
) => Promise<SignatureHeaders> = helpers.signPayload;

/** A fresh Ed25519 key pair: give `publicKey` to `new Webhooks({ publicKey })` and sign with `privateKey`. */
export const generateKeyPair: () => Promise<KeyPair> = helpers.generateKeyPair;
