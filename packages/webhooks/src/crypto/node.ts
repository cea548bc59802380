import { createPublicKey, verify } from "node:crypto";
import { encodeBase64 } from "../base64.js";
import type { Ed25519Provider } from "./provider.js";

/** node:crypto: synchronous, OpenSSL-backed, and the fastest path on Node. */
export const nodeCrypto: Ed25519Provider = {
  name: "node:crypto",
  createVerifier(publicKey) {
    const x = encodeBase64(publicKey).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    return { verify: (message, signature) => verify(null, message, key, signature) };
  },
};
