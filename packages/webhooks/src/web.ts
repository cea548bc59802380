// Entry for runtimes whose Web Crypto always has Ed25519 (the "workerd", "deno", "bun" and "edge-light" export
// conditions: Cloudflare Workers, Deno, Bun, Vercel Edge): Web Crypto only, so their bundles do not carry the
// @noble/ed25519 fallback that browsers and unknown runtimes get from ./index.ts.
import { webCrypto } from "./crypto/web.js";
import type { WebhooksOptions } from "./options.js";
import { WebhooksBase } from "./webhooks.js";

export * from "./exports.js";

/** Verifies Telnyx webhooks (Ed25519) and turns them into typed events. */
export class Webhooks extends WebhooksBase {
  constructor(options: WebhooksOptions = {}) {
    super(options, webCrypto);
  }
}
