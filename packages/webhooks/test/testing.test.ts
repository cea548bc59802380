import { createPublicKey, verify } from "node:crypto";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Webhooks } from "../src/node.js";
import type * as testing from "../src/testing.js";
import type * as testingNode from "../src/testing-node.js";
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

/** The build the "node" export condition selects: node:crypto, synchronous. */
async function nodeTesting(): Promise<typeof testingNode> {
  vi.resetModules();
  return import("../src/testing-node.js");
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
  { name: "the Node build (node:crypto)", implementation: "node:crypto", sync: true, load: () => nodeTesting() },
  { name: "Web Crypto with Ed25519", implementation: "webcrypto", sync: false, load: () => freshTesting() },
  {
    name: "Web Crypto without Ed25519 (noble)",
    implementation: "@noble/ed25519",
    sync: false,
    load: () => {
      vi.stubGlobal("crypto", cryptoWithoutEd25519());
      return freshTesting();
    },
  },
];

describe.each(runtimes)("testing helpers on $name", ({ load, implementation, sync }) => {
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

  it(`createSigner signs with ${implementation}${sync ? ", synchronously too" : ""}, as node:crypto verifies`, async () => {
    const { generateKeyPair, createSigner } = await load();
    const pair = await generateKeyPair();
    const signer = createSigner(pair.privateKey);
    // Outside Node the implementation is chosen by trying Web Crypto, at the first signature.
    expect(signer.implementation).toMatch(sync ? implementation : /^auto \(webcrypto, else @noble\/ed25519/);
    const headers = await signer.sign(callAnsweredBody, 1_784_203_200);
    expect(signer.implementation).toBe(implementation);
    expect(nodeVerify(pair.publicKey, `1784203200|${callAnsweredBody}`, headers["telnyx-signature-ed25519"])).toBe(
      true,
    );
    if (sync) {
      const signSync = signer.signSync;
      if (signSync === undefined) throw new Error("the Node build must sign synchronously");
      const now = signSync(callAnsweredBody);
      expect(now["telnyx-timestamp"]).toBe(String(nowSeconds()));
      expect(signSync(callAnsweredBody, 1_784_203_200)).toEqual(headers);
    } else {
      expect(signer.signSync).toBeUndefined();
    }
  });

  it("decodes the key strictly: what Buffer.from(base64) would quietly accept is refused, unseen", async () => {
    const { generateKeyPair, createSigner, signPayload } = await load();
    const { privateKey } = await generateKeyPair();
    // Buffer drops characters outside the alphabet and stops at the first "=": each still decodes to 32 bytes.
    const mangled = [`${privateKey.slice(0, 20)}!${privateKey.slice(20)}`, `${privateKey.slice(0, 43)}=AAAA`];
    for (const key of mangled) {
      expect(Buffer.from(key, "base64")).toHaveLength(32);
      const error = (() => {
        try {
          createSigner(key);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(TypeError);
      expect(error?.message).toContain("not base64");
      expect(error?.message).not.toContain(privateKey.slice(0, 12));
      await expect(signPayload("{}", key)).rejects.toThrow(TypeError);
    }
  });

  it("takes a 64-byte seed + public key, and refuses one whose halves do not belong together", async () => {
    const { generateKeyPair, createSigner } = await load();
    const pair = await generateKeyPair();
    const other = await generateKeyPair();
    const seed = Buffer.from(pair.privateKey, "base64");
    const full = Buffer.concat([seed, Buffer.from(pair.publicKey, "base64")]).toString("base64");
    expect(await createSigner(full).sign("{}", 7)).toEqual(await createSigner(pair.privateKey).sign("{}", 7));
    const mixed = Buffer.concat([seed, Buffer.from(other.publicKey, "base64")]).toString("base64");
    const failure = await (async () => {
      try {
        await createSigner(mixed).sign("{}", 7);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure?.message).toContain("second half is not the public key");
    expect(failure?.message).not.toContain(mixed.slice(0, 12));
  });

  it("keeps the private key out of the signer's properties, inspect output and JSON", async () => {
    const { generateKeyPair, createSigner } = await load();
    const { privateKey } = await generateKeyPair();
    const signer = createSigner(privateKey);
    await signer.sign("{}");
    const hex = Buffer.from(privateKey, "base64").toString("hex");
    for (const shown of [inspect(signer, { showHidden: true, depth: 10, getters: true }), JSON.stringify(signer)]) {
      expect(shown).not.toContain(privateKey);
      expect(shown).not.toContain(privateKey.slice(0, 16));
      expect(shown).not.toContain(hex.slice(0, 16));
    }
  });

  it("rejects a body that is not a string or bytes", async () => {
    const { generateKeyPair, createSigner } = await load();
    const signer = createSigner((await generateKeyPair()).privateKey);
    await expect(signer.sign({} as unknown as string)).rejects.toThrow(/string or Uint8Array/);
    if (sync) expect(() => signer.signSync?.(42 as unknown as string)).toThrow(/string or Uint8Array/);
  });
});

describe("signatures are those of the Ed25519 standard", () => {
  afterEach(() => vi.unstubAllGlobals());

  it.each(runtimes)("$name uses the seed as RFC 8032 does (section 7.1, TEST 2 key pair)", async ({ load }) => {
    // A signature that verifies under the RFC's public key proves the seed was expanded the standard way.
    const seed = Buffer.from("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "hex");
    const publicKey = Buffer.from("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "hex");
    const { signPayload } = await load();
    const headers = await signPayload("r", seed.toString("base64"), 7);
    expect(nodeVerify(publicKey.toString("base64"), "7|r", headers["telnyx-signature-ed25519"])).toBe(true);
  });

  it("every build makes the same (deterministic) signature for the same key and message", async () => {
    const signatures: string[] = [];
    for (const { load } of runtimes) {
      const { createSigner } = await load();
      signatures.push(
        (await createSigner("TM0Imyj/ltqdtsNG7BFOD1uKMZ81q6Yk2oz27U+4pvs=").sign(callAnsweredBody, 7))[
          "telnyx-signature-ed25519"
        ],
      );
      vi.unstubAllGlobals();
    }
    expect(new Set(signatures).size).toBe(1);
  });
});

describe("the two builds of ./testing", () => {
  it("export the same names", async () => {
    const web = await freshTesting();
    const node = await nodeTesting();
    expect(Object.keys(node).sort()).toEqual(Object.keys(web).sort());
  });
});
