/** Verifies Ed25519 signatures for one public key; the key is decoded or imported once, when created. */
export interface Ed25519Verifier {
  verify(message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/**
 * A source of Ed25519 verification: node:crypto, Web Crypto or @noble/ed25519. `Webhooks` picks the
 * fastest one the runtime has; pass one as the `crypto` option only to override that choice.
 */
export interface Ed25519Provider {
  readonly name: string;
  /** Throws when the runtime rejects the key; `Webhooks` reports that as `invalid_public_key`. */
  createVerifier(publicKey: Uint8Array): Ed25519Verifier;
}
