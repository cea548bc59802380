// Signatures with a small-order component, which only the holder of the private key can make: R' = R + T
// for a point T of small order (with S' re-derived), a key A' = A + T, and R = the identity. They are valid
// under the cofactored equation [8][S]B = [8]R + [8][k]A (what @noble/ed25519's own verify checks) and not,
// or not always, under the cofactorless [S]B = R + [k]A that OpenSSL and Web Crypto check. Every provider
// must decide on them as node:crypto does. They are built here from RFC 8032's TEST 1 key, with node:crypto's
// SHA-512 and @noble/ed25519's point arithmetic; the construction is checked against node:crypto's signatures.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { Point, verifyAsync } from "@noble/ed25519";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebhookVerificationError } from "../src/node.js";
import { callAnsweredBody, nowSeconds, providers, webhooksFor } from "./helpers.js";

const hex = (text: string) => Uint8Array.from(Buffer.from(text, "hex"));
const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** RFC 8032 section 7.1, TEST 1. */
const SEED = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const PUBLIC_KEY = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const privateKey = createPrivateKey({
  key: { kty: "OKP", crv: "Ed25519", d: base64url(SEED), x: base64url(PUBLIC_KEY) },
  format: "jwk",
});

const L = Point.CURVE().n;
const sha512 = (...parts: Uint8Array[]) => new Uint8Array(createHash("sha512").update(Buffer.concat(parts)).digest());

function fromLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

function toLittleEndian(n: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0, v = n; i < 32; i++, v >>= 8n) bytes[i] = Number(v & 255n);
  return bytes;
}

// RFC 8032 section 5.1.5: the secret scalar a is the clamped first half of SHA-512(seed), the nonce prefix
// its second half.
const expanded = sha512(SEED);
const head = expanded.slice(0, 32);
head[0] = (head[0] ?? 0) & 248;
head[31] = ((head[31] ?? 0) & 127) | 64;
const a = fromLittleEndian(head) % L;
const prefix = expanded.slice(32);

interface Forgery {
  /** Added to R = [r]B; the identity gives RFC 8032's own signature. */
  addToR?: Point;
  /** The key hashed into k (A + T for a mixed-order key); RFC 8032's A by default. */
  key?: Uint8Array;
  /** r = 0, so R is the identity and S = k·a. */
  zeroNonce?: boolean;
}

/** RFC 8032 section 5.1.6 signing with the key's secret, bent as `forgery` says; S' = r + k'·a mod L. */
function signWith(message: Uint8Array, forgery: Forgery = {}): Uint8Array {
  const r = forgery.zeroNonce ? 0n : fromLittleEndian(sha512(prefix, message)) % L;
  const R = Point.BASE.multiply(r, false)
    .add(forgery.addToR ?? Point.ZERO)
    .toBytes();
  const k = fromLittleEndian(sha512(R, forgery.key ?? PUBLIC_KEY, message)) % L;
  return new Uint8Array([...R, ...toLittleEndian((r + k * a) % L)]);
}

/** A point of order 8 and its multiples: the whole small-order subgroup, the identity first. */
const order8 = Point.fromBytes(hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"));
const torsion = Array.from({ length: 8 }, (_, i) => Point.ZERO.add(order8.multiply(BigInt(i), false)));
const orderOf = (t: Point) => [1n, 2n, 4n, 8n].find((n) => t.multiply(n, false).is0()) ?? 0n;
/** The seven small-order points other than the identity, with their order (2, 4 or 8). */
const smallOrder = torsion.slice(1).map((t, i) => [`[${i + 1}]T8 (order ${orderOf(t)})`, t] as const);

const nodeVerifies = (message: Uint8Array, signature: Uint8Array, key = PUBLIC_KEY) =>
  verify(
    null,
    message,
    createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: base64url(key) }, format: "jwk" }),
    signature,
  );

const messages = Array.from({ length: 24 }, (_, i) => new TextEncoder().encode(`1784203200|{"n":${i}}`));

/** A key of mixed order, A + T, and the messages under it: accepted cofactorless iff [k]T is the identity. */
function mixedKeyCases(t: Point) {
  const key = Point.fromBytes(PUBLIC_KEY).add(t).toBytes();
  return messages.map((message) => {
    const signature = signWith(message, { key });
    const k = fromLittleEndian(sha512(signature.subarray(0, 32), key, message)) % L;
    return { message, signature, cofactorless: k % orderOf(t) === 0n };
  });
}

describe("the fixtures are what they say", () => {
  it("signing without a small-order point reproduces node:crypto's signatures byte for byte", () => {
    for (const message of messages) {
      expect(Buffer.from(signWith(message))).toEqual(sign(null, message, privateKey));
    }
  });

  it("the points added are the 7 small-order points other than the identity, all distinct", () => {
    expect(new Set(torsion.map((t) => t.toHex())).size).toBe(8);
    expect(torsion[0]?.is0()).toBe(true);
    expect(smallOrder.map(([, t]) => orderOf(t)).sort()).toEqual([2n, 4n, 4n, 8n, 8n, 8n, 8n]);
  });

  it.each(smallOrder)("R + %s verifies cofactored (noble's verify) and not under node:crypto", async (_, t) => {
    for (const message of messages.slice(0, 4)) {
      const signature = signWith(message, { addToR: t });
      await expect(verifyAsync(signature, message, PUBLIC_KEY)).resolves.toBe(true);
      // The option the noble provider used to pass: RFC 8032 decoding, still the cofactored equation.
      await expect(verifyAsync(signature, message, PUBLIC_KEY, { zip215: false })).resolves.toBe(true);
      expect(nodeVerifies(message, signature)).toBe(false);
    }
  });

  it("R = the identity with S = k·a satisfies both equations", async () => {
    const message = messages[0] ?? new Uint8Array();
    const signature = signWith(message, { zeroNonce: true });
    expect(Buffer.from(signature.subarray(0, 32)).toString("hex")).toBe(`01${"00".repeat(31)}`);
    await expect(verifyAsync(signature, message, PUBLIC_KEY, { zip215: false })).resolves.toBe(true);
    const k = fromLittleEndian(sha512(signature.subarray(0, 32), PUBLIC_KEY, message)) % L;
    const S = fromLittleEndian(signature.subarray(32));
    expect(Point.BASE.multiply(S).equals(Point.fromBytes(PUBLIC_KEY).multiply(k))).toBe(true);
  });

  it.each(smallOrder)(
    "under the mixed-order key A + %s node:crypto accepts exactly when [k]T is the identity",
    (_, t) => {
      const cases = mixedKeyCases(t);
      const key = Point.fromBytes(PUBLIC_KEY).add(t).toBytes();
      for (const c of cases) expect(nodeVerifies(c.message, c.signature, key)).toBe(c.cofactorless);
      // Both outcomes occur, so a provider that always accepts (cofactored) or always refuses fails below.
      expect(cases.some((c) => c.cofactorless)).toBe(true);
      expect(cases.some((c) => !c.cofactorless)).toBe(true);
    },
  );
});

describe.each(providers)("$name on signatures with a small-order component", (c) => {
  beforeEach(() => c.setup?.());
  afterEach(() => vi.unstubAllGlobals());

  const headers = (signature: Uint8Array, timestamp: number) => ({
    "telnyx-timestamp": String(timestamp),
    "telnyx-signature-ed25519": Buffer.from(signature).toString("base64"),
  });
  const webhookSignedWith = (forgery: Forgery) => {
    const timestamp = nowSeconds();
    const message = new TextEncoder().encode(`${timestamp}|${callAnsweredBody}`);
    return headers(signWith(message, forgery), timestamp);
  };
  const webhooks = () => webhooksFor(c, { publicKey: Buffer.from(PUBLIC_KEY).toString("base64") });

  it("accepts the key's own signature (the control)", async () => {
    await expect(webhooks().verify(callAnsweredBody, webhookSignedWith({}))).resolves.toBeUndefined();
  });

  it.each(smallOrder)("refuses R + %s as signature_mismatch", async (_, t) => {
    await expect(webhooks().verify(callAnsweredBody, webhookSignedWith({ addToR: t }))).rejects.toThrow(
      expect.objectContaining({ name: WebhookVerificationError.name, reason: "signature_mismatch" }),
    );
  });

  it("refuses R = the identity as signature_mismatch, whatever the runtime's Web Crypto does", async () => {
    await expect(webhooks().verify(callAnsweredBody, webhookSignedWith({ zeroNonce: true }))).rejects.toThrow(
      expect.objectContaining({ reason: "signature_mismatch" }),
    );
  });

  it("as a bare provider, refuses R + T for every small-order T, as node:crypto does", async () => {
    const verifier = c.provider.createVerifier(PUBLIC_KEY);
    for (const [, t] of smallOrder) {
      for (const message of messages.slice(0, 3)) {
        expect(await verifier.verify(message, signWith(message, { addToR: t }))).toBe(false);
      }
    }
  });

  it.each(smallOrder)("as a bare provider under the mixed-order key A + %s, decides as node:crypto", async (_, t) => {
    const verifier = c.provider.createVerifier(Point.fromBytes(PUBLIC_KEY).add(t).toBytes());
    const decisions = await Promise.all(mixedKeyCases(t).map((m) => verifier.verify(m.message, m.signature)));
    expect(decisions).toEqual(mixedKeyCases(t).map((m) => m.cofactorless));
  });
});
