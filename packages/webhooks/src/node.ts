// Entry for Node (the "node" export condition): node:crypto verifies synchronously with a KeyObject made once.
import { nodeCrypto } from "./crypto/node.js";
import type { WebhooksOptions } from "./options.js";
import { WebhooksBase } from "./webhooks.js";

export * from "./exports.js";

/** Verifies Telnyx webhooks (Ed25519) and turns them into typed events. */
export class Webhooks extends WebhooksBase {
  constructor(options: WebhooksOptions = {}) {
    super(options, nodeCrypto);
  }
}
