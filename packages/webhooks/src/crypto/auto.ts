import { nobleCrypto } from "./noble.js";
import type { Ed25519Provider, Ed25519Verifier } from "./provider.js";
import { importEd25519, subtleCrypto, webCrypto, webVerify } from "./web.js";

/**
 * Web Crypto's Ed25519 where it exists, @noble/ed25519 where it does not. The choice is made once per
 * key, on the first verification, because the only reliable test is to try importing the key (and doing
 * that at construction would run crypto at a Worker's global scope); `implementation` then names the choice.
 */
export const autoCrypto: Ed25519Provider = {
  name: "auto (webcrypto, else @noble/ed25519; chosen at the first verification)",
  createVerifier(publicKey) {
    const copy = publicKey.slice();
    let chosen: Promise<Ed25519Verifier> | undefined;
    let implementation: string | undefined;
    const choose = async (): Promise<Ed25519Verifier> => {
      const subtle = subtleCrypto();
      if (subtle) {
        try {
          const key = await importEd25519(subtle, copy);
          implementation = webCrypto.name;
          return { verify: (message, signature) => webVerify(subtle, key, message, signature) };
        } catch {
          // NotSupportedError (no Ed25519 in this Web Crypto): fall through to noble.
        }
      }
      implementation = nobleCrypto.name;
      return nobleCrypto.createVerifier(copy);
    };
    return {
      get implementation() {
        return implementation;
      },
      async verify(message, signature) {
        chosen ??= choose();
        return (await chosen).verify(message, signature);
      },
    };
  },
};
