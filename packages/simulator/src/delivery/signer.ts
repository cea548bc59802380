// Signs each delivery the way Telnyx does, with the one signer of @telnyx-voice/webhooks/testing that users'
// tests sign with too. Its Node build (the `node` export condition) signs synchronously with a node:crypto
// KeyObject made once: tens of microseconds per event, where an async Web Crypto sign per delivery cost event-
// loop time that delayed everything else the simulator serves.
import { createSigner as createSharedSigner, type SignatureHeaders } from "@telnyx-voice/webhooks/testing";

export type { SignatureHeaders };
export type Signer = (body: string) => SignatureHeaders;

/** `privateKey`: base64 of a 32-byte seed (or the 64-byte seed + public key layout), as generateKeyPair returns. */
export function createSigner(privateKey: string): Signer {
  let signSync: ReturnType<typeof createSharedSigner>["signSync"];
  try {
    ({ signSync } = createSharedSigner(privateKey));
  } catch (error) {
    // Its message names what is wrong and never the key; say where the key came from.
    throw new TypeError(`startSimulator({ keyPair }): ${(error as Error).message}`);
  }
  if (!signSync) {
    throw new Error(
      "The simulator signs with the Node build of @telnyx-voice/webhooks/testing; it resolved to another build. " +
        'Run it on Node with the "node" export condition (the default).',
    );
  }
  return (body) => signSync(body);
}
