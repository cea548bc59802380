import { createPublicKey, verify } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Webhooks } from "../src/node.js";
import type * as testing from "../src/testing.js";
import { callAnsweredBody, nowSeconds } from "./helpers.js";

function nodeVerify(publicKey: string, message: string | Uint8Array, signature: string): boolean {
  const x = Buffer.from(publicKey, "base64").toString("base64url");
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  return verify(null, Buffer.from(message), key, Buffer.from(signature, "base64"));
}

/** Loads a fresh copy of the module, so its one-time choice of signer is made again. */
async function freshTesting(): Promise<typeof testing> {
  vi.resetModules();
  return import("../src/testing.js");
}

function cryptoWithoutEd25519(): Crypto {
  const real = globalThis.crypto;
  const unsupported = () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
  const subtle = {
    digest: real.subtle.digest.bind(real.subtle),
    importKey: unsupported,
    sign: unsupported,
    exportKey: unsupported,
  };
  return { subtle, getRandomValues: real.getRandomValues.bind(real) } as unknown as Crypto;
}

const runtimes = [
  { name: "Web Crypto with Ed25519", load: () => freshTesting() },
  {
    name: "Web Crypto without Ed25519 (noble)",
    load: () => {
      vi.stubGlobal("crypto", cryptoWithoutEd25519());
      return freshTesting();
    },
  },
];

describe.each(runtimes)("testing helpers on $name", ({ load }) => {
  afterEach(() => vi.unstubAllGlobals());

  it("generates a 32-byte public key and a 32-byte seed, base64", async () => {
    const { generateKeyPair } = await load();
    const pair = await generateKeyPair();
    expect(Buffer.from(pair.publicKey, "base64")).toHaveLength(32);
    expect(Buffer.from(pair.privateKey, "base64")).toHaveLength(32);
    expect(Buffer.from(pair.publicKey, "base64").toString("base64")).toBe(pair.publicKey);
    const other = await generateKeyPair();
    expect(other.privateKey).not.toBe(pair.privateKey);
  });

  it("signs timestamp|body so that node:crypto verifies it", async () => {
    const { generateKeyPair, signPayload } = await load();
    const pair = await generateKeyPair();
    const headers = await signPayload(callAnsweredBody, pair.privateKey, 1_784_203_200);
    expect(headers["telnyx-timestamp"]).toBe("1784203200");
    expect(nodeVerify(pair.publicKey, `1784203200|${callAnsweredBody}`, headers["telnyx-signature-ed25519"])).toBe(
      true,
    );
    expect(nodeVerify(pair.publicKey, `1784203201|${callAnsweredBody}`, headers["telnyx-signature-ed25519"])).toBe(
      false,
    );
  });

  it("signs bytes as they are, and defaults the timestamp to now", async () => {
    const { generateKeyPair, signPayload } = await load();
    const pair = await generateKeyPair();
    const body = Uint8Array.of(0, 255, 1, 254);
    const before = nowSeconds();
    const headers = await signPayload(body, pair.privateKey);
    const ts = Number(headers["telnyx-timestamp"]);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(nowSeconds());
    const message = Buffer.concat([Buffer.from(`${ts}|`), body]);
    expect(nodeVerify(pair.publicKey, message, headers["telnyx-signature-ed25519"])).toBe(true);
  });

  it("signs what Webhooks then accepts", async () => {
    const { generateKeyPair, signPayload } = await load();
    const pair = await generateKeyPair();
    vi.unstubAllGlobals();
    const webhooks = new Webhooks({ publicKey: pair.publicKey });
    const event = await webhooks.unwrap(callAnsweredBody, await signPayload(callAnsweredBody, pair.privateKey));
    expect(event.data.event_type).toBe("call.answered");
  });

  it("rejects a malformed private key without echoing it", async () => {
    const { signPayload } = await load();
    const secretLooking = Buffer.alloc(31, 9).toString("base64");
    const error = await signPayload("{}", secretLooking).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain("32-byte");
    expect((error as Error).message).not.toContain(secretLooking);
    await expect(signPayload("{}", "not base64 at all!")).rejects.toThrow(TypeError);
  });

  it("rejects a timestamp that is not an integer", async () => {
    const { generateKeyPair, signPayload } = await load();
    const pair = await generateKeyPair();
    await expect(signPayload("{}", pair.privateKey, 1.5)).rejects.toThrow(/integer number of Unix seconds/);
  });
});

describe("signatures are those of the Ed25519 standard", () => {
  it("uses the seed as RFC 8032 does (section 7.1, TEST 2 key pair)", async () => {
    // A signature that verifies under the RFC's public key proves the seed was expanded the standard way.
    const seed = Buffer.from("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "hex");
    const publicKey = Buffer.from("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "hex");
    const { signPayload } = await freshTesting();
    const headers = await signPayload("r", seed.toString("base64"), 7);
    expect(nodeVerify(publicKey.toString("base64"), "7|r", headers["telnyx-signature-ed25519"])).toBe(true);
  });
});
