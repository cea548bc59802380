// Shared fixtures: keys and signatures made with node:crypto (independent of the code under test),
// a realistic event body, and the list of crypto providers every suite runs over.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { vi } from "vitest";
import { autoCrypto } from "../src/crypto/auto.js";
import { nobleCrypto } from "../src/crypto/noble.js";
import { nodeCrypto } from "../src/crypto/node.js";
import type { Ed25519Provider } from "../src/crypto/provider.js";
import { webCrypto } from "../src/crypto/web.js";
import { Webhooks, type WebhooksOptions } from "../src/node.js";

export interface NodeKeys {
  publicKey: string;
  privateKey: KeyObject;
}

export function nodeKeys(): NodeKeys {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x;
  if (x === undefined) throw new Error("no x in Ed25519 JWK");
  return { publicKey: Buffer.from(x, "base64url").toString("base64"), privateKey };
}

/** Signs `${timestamp}|${body}` with node:crypto and returns the headers Telnyx would send. */
export function nodeSign(keys: NodeKeys, body: string | Uint8Array, timestamp = nowSeconds()) {
  const message = Buffer.concat([Buffer.from(`${timestamp}|`), Buffer.from(body)]);
  return {
    "telnyx-timestamp": String(timestamp),
    "telnyx-signature-ed25519": sign(null, message, keys.privateKey).toString("base64"),
  };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function callAnswered(overrides: Record<string, unknown> = {}) {
  return {
    data: {
      record_type: "event",
      event_type: "call.answered",
      id: "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
      occurred_at: "2026-07-16T12:31:08.345123Z",
      payload: {
        call_control_id: "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
        call_leg_id: "2dc6fc34-f9e0-11ea-b68e-02420a0f7768",
        call_session_id: "2dc1b3c8-f9e0-11ea-bc5a-02420a0f7768",
        client_state: "aGF2ZSBhIG5pY2UgZGF5ID1d",
        connection_id: "1684641123236054244",
        from: "+13125550100",
        to: "+13125550199",
        start_time: "2026-07-16T12:31:04.345123Z",
        custom_headers: [{ name: "X-Campaign", value: "summer-2026" }],
        sip_headers: [{ name: "User-to-User", value: "value" }],
        ...overrides,
      },
    },
    meta: { attempt: 1, delivered_to: "https://example.com/webhooks/telnyx" },
  };
}

export const callAnsweredBody = JSON.stringify(callAnswered());

/** A Web Crypto without Ed25519 (as in older browsers), to drive the auto provider onto noble. */
function webCryptoWithoutEd25519(): Crypto {
  const real = globalThis.crypto;
  const subtle = {
    digest: real.subtle.digest.bind(real.subtle),
    importKey: () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError")),
    verify: () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError")),
  };
  return { subtle, getRandomValues: real.getRandomValues.bind(real) } as unknown as Crypto;
}

export interface ProviderCase {
  name: string;
  provider: Ed25519Provider;
  /** What `cryptoProvider` must read once a webhook has been verified. */
  implementation: string;
  setup?: () => void;
}

/** Every way a signature can be checked; suites run once per entry. */
export const providers: ProviderCase[] = [
  { name: "node:crypto", provider: nodeCrypto, implementation: "node:crypto" },
  { name: "webcrypto", provider: webCrypto, implementation: "webcrypto" },
  { name: "@noble/ed25519", provider: nobleCrypto, implementation: "@noble/ed25519" },
  { name: "auto (Web Crypto has Ed25519)", provider: autoCrypto, implementation: "webcrypto" },
  {
    name: "auto (Web Crypto lacks Ed25519 -> noble)",
    provider: autoCrypto,
    implementation: "@noble/ed25519",
    setup: () => vi.stubGlobal("crypto", webCryptoWithoutEd25519()),
  },
];

export function webhooksFor(c: ProviderCase, options: WebhooksOptions): Webhooks {
  return new Webhooks({ ...options, crypto: c.provider });
}
