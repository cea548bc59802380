import { hashes, verifyAsync } from "@noble/ed25519";
import type { Ed25519Provider } from "./provider.js";
import { subtleCrypto } from "./web.js";

/**
 * @noble/ed25519 in pure JavaScript, for runtimes whose Web Crypto lacks Ed25519. Its SHA-512 comes from
 * `crypto.subtle.digest`; where even that is missing, set `hashes.sha512Async` of @noble/ed25519 yourself.
 * `zip215: false` keeps RFC 8032 rules, so it accepts and rejects the same signatures as node:crypto.
 */
export const nobleCrypto: Ed25519Provider = {
  name: "@noble/ed25519",
  createVerifier(publicKey) {
    const copy = publicKey.slice();
    return {
      verify(message, signature) {
        if (!subtleCrypto() && hashes.sha512 === undefined) {
          throw new Error("@noble/ed25519 needs SHA-512: this runtime has no crypto.subtle; set hashes.sha512Async");
        }
        return verifyAsync(signature, message, copy, { zip215: false });
      },
    };
  },
};
