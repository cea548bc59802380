// Webhook delivery over node:http: timeouts and broken connections count as failed attempts, stop() ends a
// delivery in flight, and the signer's signatures verify with node:crypto while a bad key is refused unseen.
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSigner } from "../src/delivery/signer.js";
import { type Simulator, startSimulator } from "../src/index.js";
import { cryptoVerify } from "./foreign-receiver.js";

let server: Server | undefined;
let sim: Simulator | undefined;
const held: ServerResponse[] = [];

afterEach(async () => {
  await sim?.stop();
  for (const res of held.splice(0)) res.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  sim = undefined;
  server = undefined;
});

/** A receiver that behaves badly in the given way; returns its URL. */
async function badReceiver(behaviour: "never answers" | "drops the connection" | "resets mid-body"): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    if (behaviour === "never answers") held.push(res);
    else if (behaviour === "drops the connection") req.socket.destroy();
    else {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
      setImmediate(() => req.socket.destroy());
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
}

async function dialTo(webhookUrl: string, redelivery: { maxAttempts: number; baseDelayMs: number; timeoutMs: number }) {
  sim = await startSimulator({ webhookUrl, answerDelayMs: 10_000, redelivery });
  const res = await fetch(`${sim.url}/calls`, {
    method: "POST",
    headers: { authorization: "Bearer KEY_SIMULATOR", "content-type": "application/json" },
    body: JSON.stringify({ connection_id: "c", from: "+13125550100", to: "+13125550111" }),
  });
  expect(res.status).toBe(200);
  return sim;
}

describe("delivery failures", () => {
  it("a receiver that never answers: each attempt times out, then the event is given up", async () => {
    const s = await dialTo(await badReceiver("never answers"), { maxAttempts: 2, baseDelayMs: 1, timeoutMs: 50 });
    await s.idle();
    expect(s.deliveries.map((d) => [d.eventType, d.attempt, d.ok, d.status, d.error, d.final])).toEqual([
      ["call.initiated", 1, false, undefined, "no response within 50 ms", false],
      ["call.initiated", 2, false, undefined, "no response within 50 ms", true],
    ]);
  });

  it.each(["drops the connection", "resets mid-body"] as const)(
    "a receiver that %s: a failed attempt with the network error",
    async (behaviour) => {
      const s = await dialTo(await badReceiver(behaviour), { maxAttempts: 3, baseDelayMs: 1, timeoutMs: 5000 });
      await s.idle();
      expect(s.deliveries.map((d) => [d.attempt, d.ok, d.final])).toEqual([
        [1, false, false],
        [2, false, false],
        [3, false, true],
      ]);
      expect(s.deliveries.every((d) => typeof d.error === "string" && d.status === undefined)).toBe(true);
    },
  );

  it("stop() ends a delivery that is waiting for its response", async () => {
    const s = await dialTo(await badReceiver("never answers"), { maxAttempts: 5, baseDelayMs: 1, timeoutMs: 60_000 });
    await new Promise<void>((resolve) => server?.once("request", () => resolve()));
    await s.stop();
    await s.idle();
    expect(s.deliveries).toEqual([
      expect.objectContaining({ ok: false, attempt: 1, error: "the simulator stopped", final: true }),
    ]);
    sim = undefined;
  });
});

describe("createSigner", () => {
  const keys = generateKeyPairSync("ed25519");
  const seed = (keys.privateKey.export({ format: "der", type: "pkcs8" }) as Buffer).subarray(-32).toString("base64");
  const publicKey = Buffer.from(keys.publicKey.export({ format: "jwk" }).x ?? "", "base64url").toString("base64");

  it("signs timestamp|body so node:crypto verifies it, and not a changed body", () => {
    const body = JSON.stringify({ data: { event_type: "call.answered" } });
    const headers = createSigner(seed)(body);
    expect(headers["telnyx-timestamp"]).toMatch(/^\d{10}$/);
    expect(cryptoVerify(publicKey, body, headers["telnyx-timestamp"], headers["telnyx-signature-ed25519"])).toBe(true);
    expect(cryptoVerify(publicKey, `${body} `, headers["telnyx-timestamp"], headers["telnyx-signature-ed25519"])).toBe(
      false,
    );
  });

  it("refuses a key of the wrong length without putting the key in the message", () => {
    const wrong = Buffer.alloc(20, 9).toString("base64");
    expect(() => createSigner(wrong)).toThrow(/keyPair.*32-byte Ed25519 seed .*decodes to 20 bytes/);
    expect(() => createSigner(wrong)).not.toThrow(wrong);
  });
});
