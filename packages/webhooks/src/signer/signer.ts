// The one Ed25519 webhook signer, for `@telnyx-voice/webhooks/testing` and the simulator: Telnyx's scheme
// (Ed25519 over `${timestamp}|${body}`, base64, Unix seconds in `telnyx-timestamp`) and its input rules,
// over a backend chosen by the entry point. Private keys live in closures only: never in a message,
// a property, `inspect` or JSON.
import { decodeBase64, encodeBase64 } from "../base64.js";
import type { SigningBackend } from "./backend.js";

export interface KeyPair {
  /** Base64 of the 32-byte raw Ed25519 public key: the format the Telnyx portal shows. */
  publicKey: string;
  /** Base64 of the 32-byte private seed. Keep it out of logs and snapshots. */
  privateKey: string;
}

// A type alias, not an interface: aliases get an implicit index signature, so the headers can be passed
// straight to `webhooks.verify(body, headers)` and to `fetch`.
export type SignatureHeaders = {
  "telnyx-timestamp": string;
  "telnyx-signature-ed25519": string;
};

/** Signs webhooks with one private key, decoded and imported once. */
export interface WebhookSigner {
  /**
   * The implementation that signs: "node:crypto" (the Node build), "webcrypto" or "@noble/ed25519"; elsewhere
   * than Node it reads "auto (...)" until the first signature has made the choice.
   */
  readonly implementation: string;
  /**
   * Signs `${timestamp}|${body}` and returns the two headers to send with `body`, byte for byte as signed.
   * `timestamp` is Unix seconds (default: now).
   */
  sign(body: string | Uint8Array, timestamp?: number | undefined): Promise<SignatureHeaders>;
  /**
   * The same, synchronously: defined in the Node build (node:crypto), `undefined` elsewhere, where Ed25519
   * signing is asynchronous (Web Crypto).
   */
  readonly signSync: ((body: string | Uint8Array, timestamp?: number | undefined) => SignatureHeaders) | undefined;
}

/** The private key's bytes: strict base64 of a 32-byte seed, or of 64 bytes (seed + public key, libsodium). */
function decodePrivateKey(privateKey: unknown, caller: string): { seed: Uint8Array; publicHalf?: Uint8Array } {
  if (typeof privateKey !== "string") {
    throw new TypeError(
      `${caller}: privateKey must be a base64 string, as generateKeyPair() returns it, got a ${
        privateKey === null ? "null" : typeof privateKey
      }`,
    );
  }
  const bytes = decodeBase64(privateKey.trim());
  if (bytes === undefined || (bytes.length !== 32 && bytes.length !== 64)) {
    throw new TypeError(
      `${caller}: privateKey must be base64 of a 32-byte Ed25519 seed (or a 64-byte seed + public key), but it ${
        bytes === undefined ? "is not base64" : `decodes to ${bytes.length} bytes`
      }; use the privateKey from generateKeyPair(). (The key itself is not shown here.)`,
    );
  }
  return bytes.length === 64 ? { seed: bytes.subarray(0, 32), publicHalf: bytes.subarray(32) } : { seed: bytes };
}

function checkBody(body: unknown, caller: string): asserts body is string | Uint8Array {
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw new TypeError(`${caller}: body must be the raw body as a string or Uint8Array (e.g. JSON.stringify(event))`);
  }
}

function timestampText(timestamp: number | undefined, caller: string): string {
  if (timestamp === undefined) return String(Math.floor(Date.now() / 1000));
  if (!Number.isSafeInteger(timestamp)) {
    throw new TypeError(`${caller}: timestamp must be an integer number of Unix seconds, got ${String(timestamp)}`);
  }
  return String(timestamp);
}

function headersOf(timestamp: string, signature: string): SignatureHeaders {
  return { "telnyx-timestamp": timestamp, "telnyx-signature-ed25519": signature };
}

/** The public helpers of `./testing`, over one backend (each entry point passes its own). */
export function signingHelpers(backend: SigningBackend) {
  function createSignerAs(privateKey: string, caller: string): WebhookSigner {
    const { seed, publicHalf } = decodePrivateKey(privateKey, caller);
    const signer = backend.signerFor(seed, publicHalf);
    const syncSign = signer.signSync;
    const signSync =
      syncSign === undefined
        ? undefined
        : (body: string | Uint8Array, timestamp?: number): SignatureHeaders => {
            checkBody(body, "signSync()");
            const ts = timestampText(timestamp, "signSync()");
            return headersOf(ts, syncSign(ts, body));
          };
    return {
      get implementation() {
        return signer.implementation;
      },
      signSync,
      async sign(body, timestamp) {
        checkBody(body, "sign()");
        const ts = timestampText(timestamp, "sign()");
        return headersOf(ts, await signer.sign(ts, body));
      },
    };
  }

  // signPayload's callers pass the same key again and again; importing costs more than signing.
  let last: { privateKey: string; signer: WebhookSigner } | undefined;

  return {
    createSigner: (privateKey: string): WebhookSigner => createSignerAs(privateKey, "createSigner()"),

    async signPayload(
      body: string | Uint8Array,
      privateKey: string,
      timestamp?: number | undefined,
    ): Promise<SignatureHeaders> {
      checkBody(body, "signPayload()");
      const ts = timestampText(timestamp, "signPayload()");
      if (last?.privateKey !== privateKey) last = { privateKey, signer: createSignerAs(privateKey, "signPayload()") };
      return last.signer.sign(body, Number(ts));
    },

    async generateKeyPair(): Promise<KeyPair> {
      const seed = backend.randomSeed();
      const publicKey = await backend.publicKeyOf(seed);
      return { publicKey: encodeBase64(publicKey), privateKey: encodeBase64(seed) };
    },
  };
}
