import { etc, hashes, Point } from "@noble/ed25519";
import type { Ed25519Provider } from "./provider.js";
import { subtleCrypto } from "./web.js";

/** Little-endian bytes as an integer, as RFC 8032 encodes S and reads the hash. */
function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

/**
 * @noble/ed25519's point arithmetic in pure JavaScript, for runtimes whose Web Crypto lacks Ed25519. Its
 * SHA-512 is `hashes.sha512` of @noble/ed25519 when set (set it where even `crypto.subtle` is missing), else
 * `crypto.subtle.digest`.
 *
 * It does not call noble's own `verify`, which checks the cofactored equation [8][S]B = [8]R + [8][k]A (with
 * `zip215: false` too) and so accepts signatures whose R has a small-order component: only the key's holder
 * can make one, but node:crypto and Web Crypto refuse it. This checks what OpenSSL's Ed25519 checks (RFC 8032
 * section 5.1.7 with the cofactorless equation): S < L, the key decoded as OpenSSL decodes it (y taken mod p,
 * x = 0 with the sign bit allowed, small order not refused), and [S]B - [k]A must encode to exactly the
 * signature's R bytes. It therefore decides as node:crypto and Web Crypto do on Node 20 (OpenSSL 3.0) for
 * every key and signature. Browsers' Web Crypto and newer Node (nodejs/node#64026) also refuse small-order
 * keys and small-order R; `Webhooks` refuses such keys, and R = the identity (the one small-order R that can
 * verify under a prime-order key), before any provider sees them, so through `Webhooks` all providers agree.
 */
export const nobleCrypto: Ed25519Provider = {
  name: "@noble/ed25519",
  createVerifier(publicKey) {
    if (publicKey.length !== 32) throw new Error(`an Ed25519 public key has 32 bytes, not ${publicKey.length}`);
    const key = publicKey.slice();
    const L = Point.CURVE().n;
    let A: Point | undefined;
    try {
      A = Point.fromBytes(key, true); // noble's lenient (ZIP-215) decoding is OpenSSL's
    } catch {
      // Not a curve point: OpenSSL imports such a key too and then fails every signature; so does this.
    }
    return {
      verify(message, signature) {
        const sha512 = hashes.sha512;
        if (!sha512 && !subtleCrypto()) {
          throw new Error(
            "@noble/ed25519 needs SHA-512: this runtime has no crypto.subtle; set hashes.sha512 of @noble/ed25519 " +
              "(e.g. to sha512 from @noble/hashes)",
          );
        }
        const R = signature.subarray(0, 32);
        const S = littleEndian(signature.subarray(32));
        const point = A;
        if (point === undefined || signature.length !== 64 || S >= L) return false;
        const check = (digest: Uint8Array): boolean => {
          const k = littleEndian(digest) % L;
          const expected = Point.BASE.multiply(S, false).subtract(point.multiply(k, false)).toBytes();
          return expected.every((byte, i) => byte === R[i]);
        };
        const data = etc.concatBytes(R, key, message);
        return sha512 ? check(sha512(data)) : hashes.sha512Async(data).then(check);
      },
    };
  },
};
