// Entry for browsers, Workers, Deno, Bun and bundlers: Web Crypto's Ed25519, else @noble/ed25519.
// Node gets ./node.ts through the package's "node" export condition.
import { autoCrypto } from "./crypto/auto.js";
import type { WebhooksOptions } from "./options.js";
import { WebhooksBase } from "./webhooks.js";

export * from "./exports.js";

/** Verifies Telnyx webhooks (Ed25519) and turns them into typed events. */
export class Webhooks extends WebhooksBase {
  constructor(options: WebhooksOptions = {}) {
    super(options, autoCrypto);
  }
}
