// Keys that are not the canonical encoding of a point of prime order are refused at construction, whatever
// provider verifies. The fixtures are checked against @noble/ed25519's own point arithmetic (an independent
// implementation), and node:crypto shows why the check exists: it accepts forgeries under such keys.
import { createPublicKey, verify } from "node:crypto";
import { Point } from "@noble/ed25519";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pointProblem } from "../src/edwards25519.js";
import { Webhooks } from "../src/node.js";
import { callAnsweredBody, nodeKeys, nodeSign, providers, webhooksFor } from "./helpers.js";

const P = 2n ** 255n - 19n;

function littleEndian(value: bigint, signBit: boolean): Uint8Array {
  const bytes = new Uint8Array(32);
  let v = value;
  for (let i = 0; i < 32; i++) {
    bytes[i] = Number(v & 255n);
    v >>= 8n;
  }
  if (signBit) bytes[31] = (bytes[31] ?? 0) | 0x80;
  return bytes;
}

const hex = (text: string) => Uint8Array.from(Buffer.from(text, "hex"));
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** Every small-order point of edwards25519, canonically encoded (the 8-torsion subgroup). */
const smallOrder: Array<[string, Uint8Array]> = [
  ["all zeros (y = 0, order 4)", littleEndian(0n, false)],
  ["y = 0 with the sign bit (the other point of order 4)", littleEndian(0n, true)],
  ["the identity (y = 1)", littleEndian(1n, false)],
  ["the point of order 2 (y = p - 1)", littleEndian(P - 1n, false)],
  ["a point of order 8", hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")],
  ["its negation", hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85")],
  ["another point of order 8", hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")],
  ["its negation", hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa")],
];

/** Every encoding with y >= p (y = p + k for k < 19), either sign; and x = 0 with the sign bit set. */
const nonCanonical: Array<[string, Uint8Array]> = [
  ...Array.from({ length: 19 }, (_, k) => [
    [`y = p + ${k}`, littleEndian(P + BigInt(k), false)] as [string, Uint8Array],
    [`y = p + ${k} with the sign bit`, littleEndian(P + BigInt(k), true)] as [string, Uint8Array],
  ]).flat(),
  ["the identity with the sign bit (x = 0)", littleEndian(1n, true)],
  ["order 2 with the sign bit (x = 0)", littleEndian(P - 1n, true)],
];

function mixedOrderKey(): Uint8Array {
  const real = Buffer.from(nodeKeys().publicKey, "base64");
  return Point.fromBytes(real)
    .add(Point.fromBytes(smallOrder[4]?.[1] ?? new Uint8Array()))
    .toBytes();
}

function offCurveKey(): Uint8Array {
  for (let y = 2n; ; y++) {
    const bytes = littleEndian(y, false);
    try {
      Point.fromBytes(bytes);
    } catch {
      return bytes;
    }
  }
}

describe("the fixtures are what they say (checked with @noble/ed25519)", () => {
  it.each(smallOrder)("%s is a canonical point of small order", (_label, bytes) => {
    const point = Point.fromBytes(bytes, false);
    expect(point.isSmallOrder()).toBe(true);
    expect(Buffer.from(point.toBytes())).toEqual(Buffer.from(bytes));
  });

  it.each(nonCanonical)("%s is refused by strict RFC 8032 decoding", (_label, bytes) => {
    expect(() => Point.fromBytes(bytes, false)).toThrow();
  });

  it("the mixed-order key is neither small order nor torsion-free; the off-curve key is not a point", () => {
    const mixed = Point.fromBytes(mixedOrderKey(), false);
    expect(mixed.isSmallOrder()).toBe(false);
    expect(mixed.isTorsionFree()).toBe(false);
    expect(() => Point.fromBytes(offCurveKey(), true)).toThrow();
  });

  it("node:crypto alone accepts a forged signature under the all-zero key (why the check exists)", () => {
    const key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.alloc(32).toString("base64url") },
      format: "jwk",
    });
    // R = the identity, S = 0: [S]B = R + [k]A holds whenever [k]A is the identity, for 1 in 4 messages.
    const forged = Buffer.concat([Buffer.from(littleEndian(1n, false)), Buffer.alloc(32)]);
    const accepted = Array.from({ length: 64 }, (_, t) =>
      verify(null, Buffer.from(`${1_784_203_200 + t}|{"attacker":"chosen"}`), key, forged),
    ).filter(Boolean);
    expect(accepted.length).toBeGreaterThan(0);
  });
});

describe("the point check itself", () => {
  it("accepts the keys of 50 node:crypto key pairs", () => {
    for (let i = 0; i < 50; i++) expect(pointProblem(Buffer.from(nodeKeys().publicKey, "base64"))).toBeUndefined();
  });

  it("names the order of each small-order point as @noble/ed25519 computes it", () => {
    for (const [, bytes] of smallOrder) {
      let order = 1;
      for (let q = Point.fromBytes(bytes); !q.is0(); q = q.add(Point.fromBytes(bytes))) order++;
      expect(pointProblem(bytes)).toEqual({ kind: "small_order", order });
    }
  });
});

describe.each(providers)("key check with $name", (c) => {
  beforeEach(() => c.setup?.());
  afterEach(() => vi.unstubAllGlobals());

  const refused = (bytes: Uint8Array, detail: string) =>
    expect(() => webhooksFor(c, { publicKey: base64(bytes) })).toThrow(
      expect.objectContaining({
        name: "WebhookVerificationError",
        reason: "invalid_public_key",
        message: expect.stringMatching(new RegExp(`${detail}[\\s\\S]*canonical encoding of a point of prime order`)),
      }),
    );

  it.each(smallOrder)("refuses %s at construction", (_label, bytes) => refused(bytes, "small order"));

  it.each(nonCanonical)("refuses the non-canonical encoding %s at construction", (_label, bytes) =>
    refused(bytes, "not the canonical encoding"),
  );

  it("refuses a key of mixed order, and bytes that are not a point", () => {
    refused(mixedOrderKey(), "not of prime order");
    refused(offCurveKey(), "not a point on the Ed25519 curve");
  });

  it("says the all-zero key looks like a placeholder", () => {
    expect(() => webhooksFor(c, { publicKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" })).toThrow(/placeholder/);
  });

  it("still accepts a real key, which then verifies", async () => {
    const keys = nodeKeys();
    const w = webhooksFor(c, { publicKey: keys.publicKey });
    await expect(w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody))).resolves.toBeUndefined();
  });
});

describe("the key check applies to the environment variable and to custom providers", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("refuses a small-order TELNYX_PUBLIC_KEY", () => {
    vi.stubEnv("TELNYX_PUBLIC_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    expect(() => new Webhooks()).toThrow(expect.objectContaining({ reason: "invalid_public_key" }));
  });

  it("never hands a refused key to a provider", () => {
    const createVerifier = vi.fn(() => ({ verify: () => true }));
    expect(
      () =>
        new Webhooks({
          publicKey: base64(littleEndian(1n, false)),
          crypto: { name: "accepts anything", createVerifier },
        }),
    ).toThrow(expect.objectContaining({ reason: "invalid_public_key" }));
    expect(createVerifier).not.toHaveBeenCalled();
  });
});
