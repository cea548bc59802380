// Web Crypto's Ed25519 where the runtime has it (Node >= 20, Deno, Bun, Workers, current browsers),
// @noble/ed25519 otherwise. Both are asynchronous; the choice is made once per runtime, at the first use.
import { getPublicKeyAsync, signAsync } from "@noble/ed25519";
import { decodeBase64, encodeBase64 } from "../base64.js";
import { signedMessage } from "../bytes.js";
import { mismatchedHalves, pkcs8, type SeedSigner, type SigningBackend, sameBytes } from "./backend.js";

interface Engine {
  name: string;
  /** Imports the seed once; the returned function signs with it. */
  load(seed: Uint8Array): Promise<(message: Uint8Array) => Promise<Uint8Array>>;
  publicKeyOf(seed: Uint8Array): Promise<Uint8Array>;
}

function subtle(): SubtleCrypto | undefined {
  return (globalThis as { crypto?: Crypto }).crypto?.subtle;
}

function webEngine(s: SubtleCrypto): Engine {
  return {
    name: "webcrypto",
    async load(seed) {
      const key = await s.importKey("pkcs8", pkcs8(seed), { name: "Ed25519" }, false, ["sign"]);
      return async (message) => new Uint8Array(await s.sign("Ed25519", key, message as Uint8Array<ArrayBuffer>));
    },
    async publicKeyOf(seed) {
      const key = await s.importKey("pkcs8", pkcs8(seed), { name: "Ed25519" }, true, ["sign"]);
      const jwk = await s.exportKey("jwk", key);
      const x = jwk.x === undefined ? undefined : decodeBase64(jwk.x);
      if (x?.length !== 32) throw new Error("Web Crypto returned an Ed25519 JWK without a 32-byte public key");
      return x;
    },
  };
}

const nobleEngine: Engine = {
  name: "@noble/ed25519",
  load: (seed) => Promise.resolve((message) => signAsync(message, seed)),
  publicKeyOf: (seed) => getPublicKeyAsync(seed),
};

let engine: Promise<Engine> | undefined;

function chooseEngine(): Promise<Engine> {
  engine ??= (async () => {
    const s = subtle();
    if (!s) return nobleEngine;
    try {
      await s.importKey("pkcs8", pkcs8(new Uint8Array(32)), { name: "Ed25519" }, false, ["sign"]);
      return webEngine(s);
    } catch {
      return nobleEngine; // NotSupportedError: this Web Crypto has no Ed25519
    }
  })();
  return engine;
}

export const webSigning: SigningBackend = {
  signerFor(seed, publicHalf): SeedSigner {
    const copy = seed.slice();
    let implementation = "auto (webcrypto, else @noble/ed25519; chosen at the first signature)";
    let loaded: Promise<(message: Uint8Array) => Promise<Uint8Array>> | undefined;
    const load = async () => {
      const chosen = await chooseEngine();
      if (publicHalf !== undefined && !sameBytes(await chosen.publicKeyOf(copy), publicHalf)) throw mismatchedHalves();
      const sign = await chosen.load(copy);
      implementation = chosen.name;
      return sign;
    };
    return {
      get implementation() {
        return implementation;
      },
      signSync: undefined,
      async sign(timestamp, body) {
        loaded ??= load();
        return encodeBase64(await (await loaded)(signedMessage(timestamp, body)));
      },
    };
  },
  publicKeyOf: async (seed) => (await chooseEngine()).publicKeyOf(seed),
  randomSeed() {
    const c = (globalThis as { crypto?: Crypto }).crypto;
    if (!c?.getRandomValues) {
      throw new Error("generateKeyPair() needs crypto.getRandomValues (Web Crypto); this runtime does not provide it");
    }
    return c.getRandomValues(new Uint8Array(32));
  },
};
