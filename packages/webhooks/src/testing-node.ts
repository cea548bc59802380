// `@telnyx-voice/webhooks/testing` for Node (the "node" export condition): node:crypto, with a KeyObject made
// once per key and synchronous `signSync`. Same declarations as ./testing.ts, which has the documentation.
import { nodeSigning } from "./signer/node.js";
import { type KeyPair, type SignatureHeaders, signingHelpers, type WebhookSigner } from "./signer/signer.js";

export { type StoreConformanceCase, storeConformance } from "./store/conformance.js";
export type { KeyPair, SignatureHeaders, WebhookSigner };

const helpers = signingHelpers(nodeSigning);

export const createSigner: (privateKey: string) => WebhookSigner = helpers.createSigner;
export const signPayload: (
  body: string | Uint8Array,
  privateKey: string,
  timestamp?: number | undefined,
) => Promise<SignatureHeaders> = helpers.signPayload;
export const generateKeyPair: () => Promise<KeyPair> = helpers.generateKeyPair;
