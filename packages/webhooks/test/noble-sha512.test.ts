// Where a runtime has no crypto.subtle, the noble provider hashes with `hashes.sha512` of @noble/ed25519,
// which the application sets; without it, verification says what to set.
import { createHash, sign } from "node:crypto";
import { hashes } from "@noble/ed25519";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nobleCrypto } from "../src/crypto/noble.js";
import { nodeKeys } from "./helpers.js";

const keys = nodeKeys();
const publicKey = Buffer.from(keys.publicKey, "base64");
const message = Buffer.from('1784203200|{"n":1}');
const signature = sign(null, message, keys.privateKey);

describe("the noble provider without crypto.subtle", () => {
  afterEach(() => {
    hashes.sha512 = undefined;
    vi.unstubAllGlobals();
  });

  it("verifies with hashes.sha512 when the application sets it", () => {
    vi.stubGlobal("crypto", undefined);
    hashes.sha512 = (bytes) => new Uint8Array(createHash("sha512").update(bytes).digest());
    const verifier = nobleCrypto.createVerifier(publicKey);
    // Synchronous: a set hashes.sha512 needs no promise.
    expect(verifier.verify(message, signature)).toBe(true);
    expect(verifier.verify(Buffer.from('1784203200|{"n":2}'), signature)).toBe(false);
  });

  it("says to set hashes.sha512 when it is not set", () => {
    vi.stubGlobal("crypto", undefined);
    expect(() => nobleCrypto.createVerifier(publicKey).verify(message, signature)).toThrow(
      /no crypto\.subtle; set hashes\.sha512 of @noble\/ed25519/,
    );
  });

  it("refuses a key that is not 32 bytes, saying so", () => {
    expect(() => nobleCrypto.createVerifier(publicKey.subarray(0, 31))).toThrow(/32 bytes, not 31/);
  });
});
