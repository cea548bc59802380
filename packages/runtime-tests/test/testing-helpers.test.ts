import { createPublicKey, verify } from "node:crypto";
import { describe, expect, test } from "vitest";
import { pageOrigin, runIn, runtimes } from "./harness.ts";

const origin = pageOrigin();

describe.each(runtimes)("@telnyx-voice/webhooks/testing in %s", (runtime) => {
  test("signs exactly as Telnyx does: node:crypto verifies the signature", async () => {
    const body = JSON.stringify({ data: { event_type: "call.answered", payload: { call_control_id: "v3:abc" } } });
    const timestamp = 1_790_000_000;
    const out = await runIn<{ body: string; timestamp: number }, { publicKey: string; headers: Record<string, string> }>(
      runtime,
      "sign",
      { body, timestamp },
      origin(),
    );
    expect(out.headers["telnyx-timestamp"]).toBe(String(timestamp));
    const key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(out.publicKey, "base64").toString("base64url") },
      format: "jwk",
    });
    const signature = Buffer.from(out.headers["telnyx-signature-ed25519"] ?? "", "base64");
    expect(signature).toHaveLength(64);
    expect(verify(null, Buffer.from(`${timestamp}|${body}`), key, signature)).toBe(true);
    expect(verify(null, Buffer.from(`${timestamp}|${body} `), key, signature)).toBe(false);
  });
});
