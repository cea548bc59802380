// A signing key pair kept in a file across restarts (`keyFile`, `--key-file`): a receiver configured with the
// simulator's public key keeps verifying after the simulator restarts. Read when the file exists, else made
// and written (owner-only permissions: it holds the private key). The private key is never printed.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { generateKeyPair } from "@telnyx-voice/webhooks/testing";

export interface KeyPair {
  publicKey: string;
  privateKey: string;
}

/** Base64 of exactly 32 bytes: a raw Ed25519 key. */
function isRawKey(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, "base64").length === 32;
}

export class KeyFileError extends Error {
  override name = "KeyFileError";
}

export async function keyPairFromFile(path: string): Promise<KeyPair> {
  if (existsSync(path)) {
    let parsed: Partial<KeyPair> | null;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<KeyPair> | null;
    } catch (error) {
      throw new KeyFileError(`keyFile ${path} is not JSON (${(error as Error).message}): delete it to make a new key pair.`);
    }
    if (!isRawKey(parsed?.publicKey) || !isRawKey(parsed?.privateKey)) {
      throw new KeyFileError(
        `keyFile ${path} must hold { "publicKey", "privateKey" }, each base64 of 32 bytes: delete it to make a new key pair.`,
      );
    }
    return { publicKey: parsed.publicKey, privateKey: parsed.privateKey };
  }
  const pair = await generateKeyPair();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return pair;
}
