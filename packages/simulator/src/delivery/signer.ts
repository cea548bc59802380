// Signs webhook bodies the way Telnyx does: Ed25519 over `${timestamp}|${body}`, base64, with the Unix-seconds
// timestamp in `telnyx-timestamp`. node:crypto with a KeyObject built once signs synchronously in tens of
// microseconds; Web Crypto's async sign (a thread-pool job and several promises per event) cost far more
// event-loop time per delivery under load, and that time delays everything else the simulator serves.
import { createPrivateKey, type KeyObject, sign } from "node:crypto";

// RFC 8410 PKCS#8 header for an Ed25519 private key: node:crypto wants the 32-byte seed wrapped in it.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export type SignatureHeaders = { "telnyx-timestamp": string; "telnyx-signature-ed25519": string };
export type Signer = (body: string) => SignatureHeaders;

/** `privateKey`: base64 of a 32-byte seed (or the 64-byte seed + public key layout), as generateKeyPair returns. */
export function createSigner(privateKey: string): Signer {
  const bytes = Buffer.from(privateKey.trim(), "base64");
  if (bytes.length !== 32 && bytes.length !== 64) {
    // The key itself is never put in the message.
    throw new TypeError(
      `keyPair.privateKey must be base64 of a 32-byte Ed25519 seed (or 64 bytes), got ${bytes.length} bytes`,
    );
  }
  const key: KeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, bytes.subarray(0, 32)]),
    format: "der",
    type: "pkcs8",
  });
  return (body) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(`${timestamp}|${body}`), key).toString("base64");
    return { "telnyx-timestamp": timestamp, "telnyx-signature-ed25519": signature };
  };
}
