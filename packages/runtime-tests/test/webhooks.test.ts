import { generateKeyPair, signPayload } from "@telnyx-voice/webhooks/testing";
import { describe, expect, test } from "vitest";
import { pageOrigin, runIn, runtimes } from "./harness.ts";

const origin = pageOrigin();

describe.each(runtimes)("@telnyx-voice/webhooks in %s", (runtime) => {
  test("verifies a signed event with the runtime's Web Crypto and rejects tampering", async () => {
    const keys = await generateKeyPair();
    const now = 1_790_000_000;
    const body = JSON.stringify({
      data: {
        record_type: "event",
        event_type: "call.answered",
        id: "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
        occurred_at: "2026-11-23T22:25:27.521992Z",
        payload: { call_control_id: "v3:runtime-test", connection_id: "7267", from: "+13125550001", to: "+13125550002" },
      },
      meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
    });
    const headers = { ...(await signPayload(body, keys.privateKey, now)) };
    const out = await runIn<object, Record<string, unknown>>(runtime, "verify", { publicKey: keys.publicKey, body, headers, now }, origin());
    expect(out).toMatchObject({
      // The auto provider names the implementation it chose once it has verified.
      provider: "webcrypto",
      type: "call.answered",
      callControlId: "v3:runtime-test",
      reasons: ["signature_mismatch", "signature_mismatch"],
      malformedKey: "invalid_public_key",
      placeholderKey: "invalid_public_key",
    });
    if (runtime === "chromium") expect(out.hasProcess).toBe(false);
  });
});

describe.each(runtimes)("the router with memoryStore in %s", (runtime) => {
  test("handles a duplicate once, orders a call's events within the window, answers a busy copy 503", async () => {
    const keys = await generateKeyPair();
    const out = await runIn<object, Record<string, unknown>>(runtime, "router", keys, origin());
    expect(out).toEqual({
      ordered: ["200", "200"],
      duplicates: ["200", "200"],
      late: "200",
      busy: "503 retry-after 1",
      first: "200",
      seen: ["a", "b", "old (late)", "slow"],
      overlapped: false,
    });
  });
});
