// `@telnyx-voice/webhooks/testing`: sign webhooks the way Telnyx does, for simulators and users' tests.
// Uses Web Crypto's Ed25519 where the runtime has it (Node >= 20, Deno, Bun, Workers, current browsers)
// and @noble/ed25519 otherwise. Private keys never appear in error messages.
import { getPublicKeyAsync, signAsync } from "@noble/ed25519";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { signedMessage } from "./bytes.js";

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

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): Web Crypto cannot import a bare private seed.
const PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);

type Signer = (seed: Uint8Array, privateKey: string, message: Uint8Array) => Promise<Uint8Array>;

let signerPromise: Promise<{ sign: Signer; publicKeyOf: (seed: Uint8Array) => Promise<Uint8Array> }> | undefined;

function subtle(): SubtleCrypto | undefined {
  return (globalThis as { crypto?: Crypto }).crypto?.subtle;
}

function pkcs8(seed: Uint8Array): Uint8Array<ArrayBuffer> {
  const der = new Uint8Array(PKCS8_PREFIX.length + 32);
  der.set(PKCS8_PREFIX, 0);
  der.set(seed, PKCS8_PREFIX.length);
  return der;
}

async function webCryptoSupportsEd25519(s: SubtleCrypto): Promise<boolean> {
  try {
    await s.importKey("pkcs8", pkcs8(new Uint8Array(32)), { name: "Ed25519" }, false, ["sign"]);
    return true;
  } catch {
    return false;
  }
}

// One cached CryptoKey: a simulator signs many webhooks with the same key, and importing costs more than signing.
let cached: { privateKey: string; key: CryptoKey } | undefined;

function chooseSigner() {
  signerPromise ??= (async () => {
    const s = subtle();
    if (s && (await webCryptoSupportsEd25519(s))) {
      const sign: Signer = async (seed, privateKey, message) => {
        if (cached?.privateKey !== privateKey) {
          cached = { privateKey, key: await s.importKey("pkcs8", pkcs8(seed), { name: "Ed25519" }, false, ["sign"]) };
        }
        return new Uint8Array(await s.sign("Ed25519", cached.key, message as Uint8Array<ArrayBuffer>));
      };
      const publicKeyOf = async (seed: Uint8Array) => {
        const key = await s.importKey("pkcs8", pkcs8(seed), { name: "Ed25519" }, true, ["sign"]);
        const jwk = await s.exportKey("jwk", key);
        const x = jwk.x === undefined ? undefined : decodeBase64(jwk.x);
        if (x?.length !== 32) throw new Error("Web Crypto returned an Ed25519 JWK without a 32-byte public key");
        return x;
      };
      return { sign, publicKeyOf };
    }
    return {
      sign: (seed: Uint8Array, _privateKey: string, message: Uint8Array) => signAsync(message, seed),
      publicKeyOf: (seed: Uint8Array) => getPublicKeyAsync(seed),
    };
  })();
  return signerPromise;
}

function randomSeed(): Uint8Array {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.getRandomValues) {
    throw new Error("generateKeyPair() needs crypto.getRandomValues (Web Crypto); this runtime does not provide it");
  }
  return c.getRandomValues(new Uint8Array(32));
}

function decodePrivateKey(privateKey: string): Uint8Array {
  if (typeof privateKey !== "string") {
    throw new TypeError("signPayload(): privateKey must be a base64 string, as generateKeyPair() returns it");
  }
  const bytes = decodeBase64(privateKey.trim());
  // 64 bytes is the libsodium / NaCl layout (seed followed by public key): its first half is the seed.
  if (bytes === undefined || (bytes.length !== 32 && bytes.length !== 64)) {
    throw new TypeError(
      "signPayload(): privateKey must be base64 of a 32-byte Ed25519 seed (or a 64-byte seed+public key); " +
        "use the privateKey from generateKeyPair(). (The key itself is not shown here.)",
    );
  }
  return bytes.subarray(0, 32);
}

/** A fresh Ed25519 key pair: give `publicKey` to `new Webhooks({ publicKey })` and sign with `privateKey`. */
export async function generateKeyPair(): Promise<KeyPair> {
  const seed = randomSeed();
  const { publicKeyOf } = await chooseSigner();
  const publicKey = await publicKeyOf(seed);
  return { publicKey: encodeBase64(publicKey), privateKey: encodeBase64(seed) };
}

/**
 * Signs `${timestamp}|${body}` as Telnyx does and returns the two headers to send with `body`.
 * `timestamp` is Unix seconds (default: now). Send `body` byte for byte as signed.
 */
export async function signPayload(
  body: string | Uint8Array,
  privateKey: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): Promise<SignatureHeaders> {
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw new TypeError(
      "signPayload(): body must be the raw body as a string or Uint8Array (e.g. JSON.stringify(event))",
    );
  }
  if (!Number.isSafeInteger(timestamp)) {
    throw new TypeError(`signPayload(): timestamp must be an integer number of Unix seconds, got ${String(timestamp)}`);
  }
  const seed = decodePrivateKey(privateKey);
  const ts = String(timestamp);
  const { sign } = await chooseSigner();
  const signature = await sign(seed, privateKey, signedMessage(ts, body));
  return { "telnyx-timestamp": ts, "telnyx-signature-ed25519": encodeBase64(signature) };
}
