import type { Ed25519Provider } from "./provider.js";

type Bytes = Uint8Array<ArrayBuffer>;

export function subtleCrypto(): SubtleCrypto | undefined {
  return (globalThis as { crypto?: Crypto }).crypto?.subtle;
}

/** Imports a raw Ed25519 public key; rejects where Web Crypto lacks Ed25519 (older browsers). */
export function importEd25519(subtle: SubtleCrypto, publicKey: Uint8Array): Promise<CryptoKey> {
  return subtle.importKey("raw", publicKey as Bytes, { name: "Ed25519" }, false, ["verify"]);
}

export function webVerify(subtle: SubtleCrypto, key: CryptoKey, message: Uint8Array, signature: Uint8Array) {
  return subtle.verify({ name: "Ed25519" }, key, signature as Bytes, message as Bytes);
}

/** Web Crypto (Deno, Bun, Workers, browsers, Node): native code, always asynchronous. */
export const webCrypto: Ed25519Provider = {
  name: "webcrypto",
  createVerifier(publicKey) {
    const subtle = subtleCrypto();
    if (!subtle) throw new Error("Web Crypto (crypto.subtle) is not available in this runtime");
    const copy = publicKey.slice();
    let key: Promise<CryptoKey> | undefined;
    return {
      async verify(message, signature) {
        key ??= importEd25519(subtle, copy).catch((error: unknown) => {
          key = undefined;
          throw new Error(
            `This runtime's Web Crypto cannot import an Ed25519 key (${(error as Error).message}). Pass ` +
              "{ crypto: nobleCrypto } (from @telnyx-voice/webhooks/crypto) to new Webhooks() to verify in JavaScript.",
          );
        });
        return webVerify(subtle, await key, message, signature);
      },
    };
  },
};
