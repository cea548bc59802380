// node:crypto: a KeyObject made once per key, and synchronous signing (tens of microseconds), which a
// simulator signing every delivery relies on to keep its event loop free.
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from "node:crypto";
import { decodeBase64 } from "../base64.js";
import { mismatchedHalves, pkcs8, type SigningBackend, sameBytes } from "./backend.js";

function privateKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(pkcs8(seed)), format: "der", type: "pkcs8" });
}

function publicKeyBytes(key: KeyObject): Uint8Array {
  const x = createPublicKey(key).export({ format: "jwk" }).x;
  const bytes = x === undefined ? undefined : decodeBase64(x);
  if (bytes?.length !== 32) throw new Error("node:crypto returned an Ed25519 JWK without a 32-byte public key");
  return bytes;
}

export const nodeSigning: SigningBackend = {
  signerFor(seed, publicHalf) {
    const key = privateKeyObject(seed);
    if (publicHalf !== undefined && !sameBytes(publicKeyBytes(key), publicHalf)) throw mismatchedHalves();
    // Buffer rather than the portable TextEncoder and base64 helpers: this is the simulator's hot path.
    const signSync = (timestamp: string, body: string | Uint8Array): string => {
      const message =
        typeof body === "string"
          ? Buffer.from(`${timestamp}|${body}`)
          : Buffer.concat([Buffer.from(`${timestamp}|`), body]);
      return sign(null, message, key).toString("base64");
    };
    return {
      implementation: "node:crypto",
      signSync,
      sign: (timestamp, body) => {
        try {
          return Promise.resolve(signSync(timestamp, body));
        } catch (error) {
          return Promise.reject(error);
        }
      },
    };
  },
  publicKeyOf: (seed) => Promise.resolve(publicKeyBytes(privateKeyObject(seed))),
  randomSeed: () => new Uint8Array(randomBytes(32)),
};
