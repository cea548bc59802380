import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  Webhooks,
  type WebhooksOptions,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from "../src/node.js";
import { callAnswered, callAnsweredBody, nodeKeys, nodeSign, nowSeconds, providers, webhooksFor } from "./helpers.js";

async function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

async function expectReason(promise: Promise<unknown>, reason: WebhookVerificationReason): Promise<string> {
  const error = await rejection(promise);
  expect(error.reason).toBe(reason);
  return error.message;
}

describe.each(providers)("verify and unwrap with $name", (c) => {
  const keys = nodeKeys();
  beforeEach(() => c.setup?.());
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });
  const webhooks = () => webhooksFor(c, { publicKey: keys.publicKey });

  it("accepts a body signed with node:crypto, as a string, Buffer, Uint8Array or ArrayBuffer", async () => {
    const headers = nodeSign(keys, callAnsweredBody);
    const w = webhooks();
    await expect(w.verify(callAnsweredBody, headers)).resolves.toBeUndefined();
    const buffer = Buffer.from(callAnsweredBody);
    await expect(w.verify(buffer, headers)).resolves.toBeUndefined();
    await expect(w.verify(new Uint8Array(buffer), headers)).resolves.toBeUndefined();
    const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    await expect(w.verify(arrayBuffer, headers)).resolves.toBeUndefined();
  });

  it(`reports ${c.implementation} as cryptoProvider once it has verified`, async () => {
    const w = webhooks();
    await w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(w.cryptoProvider).toBe(c.implementation);
  });

  it("unwraps into the parsed event", async () => {
    const event = await webhooks().unwrap(callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(event).toEqual(callAnswered());
    if (event.data.event_type !== "call.answered") throw new Error("expected call.answered");
    expect(event.data.payload.call_control_id).toBe("v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg");
    expect(event.meta).toEqual({ attempt: 1, delivered_to: "https://example.com/webhooks/telnyx" });
  });

  it("unwraps a body with a byte-order mark the same as a string and as bytes", async () => {
    const body = `\uFEFF${JSON.stringify(callAnswered())}`;
    const headers = nodeSign(keys, body);
    for (const raw of [body, Buffer.from(body)]) {
      await expect(webhooks().unwrap(raw, headers)).resolves.toMatchObject({ data: { event_type: "call.answered" } });
    }
  });

  it("verifies non-ASCII bodies byte for byte", async () => {
    const body = JSON.stringify(callAnswered({ from: "Zoë 📞 +4915550100" }));
    const headers = nodeSign(keys, body);
    await expect(webhooks().unwrap(body, headers)).resolves.toMatchObject({
      data: { payload: { from: "Zoë 📞 +4915550100" } },
    });
    await expect(webhooks().verify(Buffer.from(body), headers)).resolves.toBeUndefined();
  });

  it("returns an event type these types do not know as a generic event", async () => {
    const body = JSON.stringify({
      data: {
        record_type: "event",
        event_type: "call.teleported",
        id: "e1",
        occurred_at: "2026-07-16T00:00:00Z",
        payload: { to: "mars" },
      },
      meta: { attempt: 2, delivered_to: "https://example.com/hook" },
    });
    const event = await webhooks().unwrap(body, nodeSign(keys, body));
    expect(event.data.event_type as string).toBe("call.teleported");
    expect(event.data.payload).toEqual({ to: "mars" });
    expect(event.meta.attempt).toBe(2);
  });

  describe("header shapes", () => {
    const signed = () => nodeSign(keys, callAnsweredBody);

    it("reads a Fetch Headers object", async () => {
      await expect(webhooks().verify(callAnsweredBody, new Headers(signed()))).resolves.toBeUndefined();
    });

    it("reads Node's lower-cased IncomingHttpHeaders with other headers around", async () => {
      const headers = {
        host: "example.com",
        "content-type": "application/json",
        "x-forwarded-for": ["10.0.0.1", "10.0.0.2"],
        ...signed(),
      };
      await expect(webhooks().verify(callAnsweredBody, headers)).resolves.toBeUndefined();
    });

    it("matches names case-insensitively in a plain record", async () => {
      const h = signed();
      const headers = {
        "Telnyx-Timestamp": h["telnyx-timestamp"],
        "TELNYX-SIGNATURE-ED25519": h["telnyx-signature-ed25519"],
      };
      await expect(webhooks().verify(callAnsweredBody, headers)).resolves.toBeUndefined();
    });

    it("takes the first value of array-valued headers", async () => {
      const h = signed();
      const headers = {
        "telnyx-timestamp": [h["telnyx-timestamp"]],
        "telnyx-signature-ed25519": [h["telnyx-signature-ed25519"], "ignored"],
      };
      await expect(webhooks().verify(callAnsweredBody, headers)).resolves.toBeUndefined();
    });

    it("ignores surrounding whitespace in values", async () => {
      const h = signed();
      const headers = {
        "telnyx-timestamp": ` ${h["telnyx-timestamp"]} `,
        "telnyx-signature-ed25519": `${h["telnyx-signature-ed25519"]}\t`,
      };
      await expect(webhooks().verify(callAnsweredBody, headers)).resolves.toBeUndefined();
    });

    it("reads a numeric timestamp from a plain record", async () => {
      const h = signed();
      const headers = {
        "telnyx-timestamp": Number(h["telnyx-timestamp"]),
        "telnyx-signature-ed25519": h["telnyx-signature-ed25519"],
      };
      await expect(webhooks().verify(callAnsweredBody, headers)).resolves.toBeUndefined();
    });
  });

  describe("rejections", () => {
    it("names a missing timestamp or signature header", async () => {
      const h = nodeSign(keys, callAnsweredBody);
      const noTs = await expectReason(
        webhooks().verify(callAnsweredBody, { "telnyx-signature-ed25519": h["telnyx-signature-ed25519"] }),
        "missing_header",
      );
      expect(noTs).toContain("telnyx-timestamp");
      const noSig = await expectReason(
        webhooks().verify(callAnsweredBody, { "telnyx-timestamp": h["telnyx-timestamp"] }),
        "missing_header",
      );
      expect(noSig).toContain("telnyx-signature-ed25519");
      await expectReason(
        webhooks().verify(callAnsweredBody, { "telnyx-timestamp": "", "telnyx-signature-ed25519": [] }),
        "missing_header",
      );
      await expectReason(webhooks().verify(callAnsweredBody, new Headers()), "missing_header");
    });

    it.each(["abc", "12.5", "-5", "1e9", "0x10", "1700000000 1700000000", "9999999999999999"])(
      "rejects the timestamp %j as not an integer",
      async (ts) => {
        const h = nodeSign(keys, callAnsweredBody);
        await expectReason(webhooks().verify(callAnsweredBody, { ...h, "telnyx-timestamp": ts }), "invalid_timestamp");
      },
    );

    it("rejects a signature that is not base64, with a hint", async () => {
      const h = nodeSign(keys, callAnsweredBody);
      const message = await expectReason(
        webhooks().verify(callAnsweredBody, {
          ...h,
          "telnyx-signature-ed25519": `${h["telnyx-signature-ed25519"].slice(0, 80)}!!!!!!==`,
        }),
        "invalid_signature_format",
      );
      expect(message).toContain("not base64");
    });

    it("rejects a base64 signature that is not 64 bytes", async () => {
      const h = nodeSign(keys, callAnsweredBody);
      const short = Buffer.from(h["telnyx-signature-ed25519"], "base64").subarray(0, 63).toString("base64");
      const message = await expectReason(
        webhooks().verify(callAnsweredBody, { ...h, "telnyx-signature-ed25519": short }),
        "invalid_signature_format",
      );
      expect(message).toContain("63 bytes");
      const long = Buffer.concat([Buffer.from(h["telnyx-signature-ed25519"], "base64"), Buffer.of(0)]).toString(
        "base64",
      );
      await expectReason(
        webhooks().verify(callAnsweredBody, { ...h, "telnyx-signature-ed25519": long }),
        "invalid_signature_format",
      );
    });

    it("rejects a signature made by another key, reminding to pass the raw body", async () => {
      const other = nodeKeys();
      const message = await expectReason(
        webhooks().verify(callAnsweredBody, nodeSign(other, callAnsweredBody)),
        "signature_mismatch",
      );
      expect(message).toContain("raw request body");
      expect(message).toContain("express.raw");
    });

    it("rejects re-serialised JSON", async () => {
      const body = JSON.stringify(callAnswered(), null, 2);
      const headers = nodeSign(keys, body);
      await expectReason(webhooks().verify(JSON.stringify(JSON.parse(body)), headers), "signature_mismatch");
    });

    it("rejects the signature of another timestamp", async () => {
      const h = nodeSign(keys, callAnsweredBody, nowSeconds() - 1);
      await expectReason(
        webhooks().verify(callAnsweredBody, { ...h, "telnyx-timestamp": String(nowSeconds()) }),
        "signature_mismatch",
      );
    });

    it("rejects a parsed object passed as the body", async () => {
      const h = nodeSign(keys, callAnsweredBody);
      const message = await expectReason(webhooks().verify(callAnswered() as unknown as string, h), "invalid_body");
      expect(message).toContain("raw request body");
    });

    it("unwrap rejects a verified body that is not JSON, and JSON that is not an event", async () => {
      await expectReason(webhooks().unwrap("not json", nodeSign(keys, "not json")), "invalid_json");
      const invalidUtf8 = Uint8Array.of(0x7b, 0xff, 0x7d);
      await expectReason(webhooks().unwrap(invalidUtf8, nodeSign(keys, invalidUtf8)), "invalid_json");
      await expectReason(webhooks().unwrap('{"hello":1}', nodeSign(keys, '{"hello":1}')), "invalid_event");
      await expectReason(webhooks().unwrap("[1]", nodeSign(keys, "[1]")), "invalid_event");
      // verify() does not parse, so the same bodies pass it.
      await expect(webhooks().verify("not json", nodeSign(keys, "not json"))).resolves.toBeUndefined();
    });

    it("unwrap checks the signature before parsing", async () => {
      await expectReason(webhooks().unwrap("not json", nodeSign(nodeKeys(), "not json")), "signature_mismatch");
    });
  });

  describe("tolerance", () => {
    const now = 1_784_203_200; // 2026-07-16T12:00:00Z
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(now * 1000 + 999);
    });

    it.each([
      ["now", 0, undefined],
      ["at the limit in the past", -300, undefined],
      ["one second past the limit", -301, "timestamp_too_old"],
      ["an hour old", -3600, "timestamp_too_old"],
      ["a little in the future", 30, undefined],
      ["at the limit in the future", 300, undefined],
      ["one second beyond the limit in the future", 301, "timestamp_too_new"],
    ] as const)("with the default 300s, a webhook signed %s", async (_label, offset, reason) => {
      const h = nodeSign(keys, callAnsweredBody, now + offset);
      if (reason === undefined) await expect(webhooks().verify(callAnsweredBody, h)).resolves.toBeUndefined();
      else await expectReason(webhooks().verify(callAnsweredBody, h), reason);
    });

    it("honours a custom tolerance", async () => {
      const w = webhooksFor(c, { publicKey: keys.publicKey, tolerance: 10 });
      await expect(w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody, now - 10))).resolves.toBeUndefined();
      await expectReason(w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody, now - 11)), "timestamp_too_old");
      await expectReason(w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody, now + 11)), "timestamp_too_new");
    });

    it("checks the timestamp before the signature, and hints at milliseconds", async () => {
      const h = nodeSign(nodeKeys(), callAnsweredBody, now * 1000);
      const message = await expectReason(webhooks().verify(callAnsweredBody, h), "timestamp_too_new");
      expect(message).toContain("milliseconds");
    });
  });
});

describe("Webhooks configuration", () => {
  const keys = nodeKeys();
  afterEach(() => vi.unstubAllEnvs());

  it("reads TELNYX_PUBLIC_KEY when no key is passed", async () => {
    vi.stubEnv("TELNYX_PUBLIC_KEY", keys.publicKey);
    const w = webhooksFor(providers[0] as (typeof providers)[0], {});
    await expect(w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody))).resolves.toBeUndefined();
    expect(w.tolerance).toBe(300);
  });

  it("fails at construction without a key", () => {
    vi.stubEnv("TELNYX_PUBLIC_KEY", "");
    expect(() => webhooksFor(providers[0] as (typeof providers)[0], {})).toThrow(
      expect.objectContaining({ reason: "missing_public_key", message: expect.stringContaining("TELNYX_PUBLIC_KEY") }),
    );
  });

  it.each(providers)("fails at construction on a malformed key ($name)", (c) => {
    const notBase64 = "this is not a key!";
    const short = Buffer.alloc(31, 7).toString("base64");
    const long = Buffer.alloc(33, 7).toString("base64");
    for (const [publicKey, detail] of [
      [notBase64, "not base64"],
      [short, "31 bytes"],
      [long, "33 bytes"],
      [Buffer.alloc(32, 7) as unknown as string, "is a object, not a string"],
      [123 as unknown as string, "is a number, not a string"],
    ] as const) {
      expect(() => webhooksFor(c, { publicKey })).toThrow(
        expect.objectContaining({ reason: "invalid_public_key", message: expect.stringContaining(detail) }),
      );
    }
  });

  it("accepts the key in URL-safe base64 or without padding", async () => {
    const urlSafe = Buffer.from(keys.publicKey, "base64").toString("base64url");
    const w = webhooksFor(providers[0] as (typeof providers)[0], { publicKey: urlSafe });
    await expect(w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody))).resolves.toBeUndefined();
  });

  const withKey = (options: Partial<WebhooksOptions>) =>
    webhooksFor(providers[0] as (typeof providers)[0], { publicKey: keys.publicKey, ...options });

  it.each([
    ["tolerance", Number.POSITIVE_INFINITY, "from 1 to 3600"],
    ["tolerance", Number.NEGATIVE_INFINITY, "from 1 to 3600"],
    ["tolerance", Number.NaN, "from 1 to 3600"],
    ["tolerance", -1, "from 1 to 3600"],
    ["tolerance", 0, "from 1 to 3600"],
    ["tolerance", 3601, "from 1 to 3600"],
    ["tolerance", 1e12, "from 1 to 3600"],
    ["maxBodyBytes", Number.POSITIVE_INFINITY, "from 1 to 1073741824"],
    ["maxBodyBytes", 0, "from 1 to 1073741824"],
    ["maxBodyBytes", 1.5, "an integer"],
    ["maxBodyBytes", 2 ** 31, "from 1 to 1073741824"],
    ["bodyTimeoutMs", Number.POSITIVE_INFINITY, "from 1 to 300000"],
    ["bodyTimeoutMs", Number.NaN, "from 1 to 300000"],
    ["bodyTimeoutMs", 0, "from 1 to 300000"],
    ["bodyTimeoutMs", 300_001, "from 1 to 300000"],
  ] as const)("refuses %s: %s with a RangeError naming the range", (name, value, range) => {
    let error: unknown;
    try {
      withKey({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    const message = (error as Error).message;
    expect(message).toContain(`\`${name}\` must be`);
    expect(message).toContain(range);
    expect(message).toContain(`got ${String(value)}`);
  });

  it.each(["tolerance", "maxBodyBytes", "bodyTimeoutMs"] as const)("refuses a %s that is not a number", (name) => {
    expect(() => withKey({ [name]: "300" as unknown as number })).toThrow(TypeError);
    expect(() => withKey({ [name]: "300" as unknown as number })).toThrow(/got a string/);
  });

  it("accepts the ends of each range, and explicit undefined as the default", () => {
    expect(withKey({ tolerance: 1 }).tolerance).toBe(1);
    expect(withKey({ tolerance: 3600 }).tolerance).toBe(3600);
    expect(withKey({ maxBodyBytes: 1 }).maxBodyBytes).toBe(1);
    expect(withKey({ bodyTimeoutMs: 300_000 }).bodyTimeoutMs).toBe(300_000);
    const defaults = withKey({ tolerance: undefined, maxBodyBytes: undefined, bodyTimeoutMs: undefined });
    expect([defaults.tolerance, defaults.maxBodyBytes, defaults.bodyTimeoutMs]).toEqual([300, 1024 * 1024, 5000]);
    expect(() => withKey({ onError: undefined, crypto: undefined })).not.toThrow();
  });

  it("reads TELNYX_PUBLIC_KEY when publicKey is explicitly undefined (process.env.X of an unset X)", async () => {
    vi.stubEnv("TELNYX_PUBLIC_KEY", keys.publicKey);
    const w = webhooksFor(providers[0] as (typeof providers)[0], { publicKey: undefined });
    await expect(w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody))).resolves.toBeUndefined();
  });

  it("refuses options that are not an object, such as the key passed bare", () => {
    expect(() => new Webhooks(keys.publicKey as unknown as WebhooksOptions)).toThrow(/takes an options object/);
  });

  it("uses node:crypto from the Node entry and Web Crypto from the default entry", async () => {
    const node = await import("../src/node.js");
    const web = await import("../src/index.js");
    expect(new node.Webhooks({ publicKey: keys.publicKey }).cryptoProvider).toBe("node:crypto");
    const w = new web.Webhooks({ publicKey: keys.publicKey });
    expect(w.cryptoProvider).toMatch(/^auto \(.*chosen at the first verification\)$/);
    await expect(w.verify(callAnsweredBody, nodeSign(keys, callAnsweredBody))).resolves.toBeUndefined();
    expect(w.cryptoProvider).toBe("webcrypto");
  });
});
