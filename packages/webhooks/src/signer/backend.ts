// What a signing backend provides: node:crypto (synchronous) on Node, Web Crypto or @noble/ed25519 elsewhere.
// The rules every backend shares (key decoding, timestamps, headers) live in ./signer.ts, once.

/** Signs `${timestamp}|${body}` with one private key, imported once, and returns the base64 signature. */
export interface SeedSigner {
  /** "node:crypto", "webcrypto", "@noble/ed25519", or "auto (...)" until the first signature chose. */
  readonly implementation: string;
  /** Present when signing is synchronous (node:crypto). */
  readonly signSync: ((timestamp: string, body: string | Uint8Array) => string) | undefined;
  sign(timestamp: string, body: string | Uint8Array): Promise<string>;
}

export interface SigningBackend {
  /**
   * A signer for a 32-byte seed. `publicHalf` is the second half of a 64-byte (seed + public key) key, to be
   * checked against the seed: synchronously where the backend can, else at the first signature.
   */
  signerFor(seed: Uint8Array, publicHalf: Uint8Array | undefined): SeedSigner;
  /** The 32-byte public key of a seed. */
  publicKeyOf(seed: Uint8Array): Promise<Uint8Array>;
  /** 32 random bytes for a new seed. */
  randomSeed(): Uint8Array;
}

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): node:crypto and Web Crypto import private keys in it.
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

export function pkcs8(seed: Uint8Array): Uint8Array<ArrayBuffer> {
  const der = new Uint8Array(PKCS8_PREFIX.length + 32);
  der.set(PKCS8_PREFIX, 0);
  der.set(seed, PKCS8_PREFIX.length);
  return der;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** The error for a 64-byte key whose second half is not the public key of its first half. */
export function mismatchedHalves(): TypeError {
  return new TypeError(
    "The 64-byte private key's second half is not the public key of its first half (the seed), so it is not " +
      "one key: use the 32-byte privateKey from generateKeyPair(). (The key itself is not shown here.)",
  );
}
