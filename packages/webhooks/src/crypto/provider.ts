/** Verifies Ed25519 signatures for one public key; the key is decoded or imported once, when created. */
export interface Ed25519Verifier {
  verify(message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
  /**
   * The implementation that verifies, when the provider chooses one at run time (the auto provider picks
   * Web Crypto or @noble/ed25519 at the first verification). Absent when it is the provider's `name`.
   */
  readonly implementation?: string | undefined;
}

/**
 * A source of Ed25519 verification: node:crypto, Web Crypto or @noble/ed25519. `Webhooks` picks the
 * fastest one the runtime has; pass one as the `crypto` option only to override that choice.
 * `Webhooks` checks the key (canonical encoding of a point of prime order) before a provider sees it.
 */
export interface Ed25519Provider {
  readonly name: string;
  /** Throws when the runtime rejects the key; `Webhooks` reports that as `invalid_public_key`. */
  createVerifier(publicKey: Uint8Array): Ed25519Verifier;
}
