// The simulator with our own client and webhooks packages, over loopback: retries against real faults,
// command_id making a retried command run once, typed errors, cursor pagination, verified typed events.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { NotFoundError, RateLimitError, Telnyx, UnprocessableEntityError } from "@telnyx-voice/client";
import { Webhooks } from "@telnyx-voice/webhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../src/index.js";
import { type Receiver, startReceiver } from "./helpers.js";

let sim: Simulator;
let receiver: Receiver;
let telnyx: Telnyx;

beforeEach(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 5, mediaDurationMs: 5, apiKey: "KEY_client" });
  telnyx = new Telnyx({
    apiKey: "KEY_client",
    baseURL: sim.url,
    maxRetries: 3,
    backoff: { initialDelay: 5, maxDelay: 20 },
  });
});
afterEach(async () => {
  await sim.stop();
  await receiver.close();
});

async function answeredCall(): Promise<string> {
  const res = await telnyx.calls.dial({ connection_id: "c", from: "+12025550100", to: "+12025550111" });
  const id = res.data.call_control_id;
  await receiver.waitFor(() => sim.calls.get(id)?.state === "answered", "answer");
  return id;
}

describe("with @telnyx-voice/client", () => {
  it("a response lost after the command ran is retried with the same command_id and runs once", async () => {
    const id = await answeredCall();
    sim.faults.add({ route: "SpeakCall", fault: { type: "drop", when: "after" }, times: 1 });
    const res = await telnyx.calls.actions.speak(id, { payload: "Hello", voice: "female" });
    expect(res.data.result).toBe("ok");
    expect(sim.faults.applied).toHaveLength(1);
    expect(sim.calls.get(id)?.eventTypes.filter((t) => t === "call.speak.started")).toHaveLength(1);
  });

  it("retries 503 and 429 (honouring Retry-After) and succeeds", async () => {
    sim.faults.add({ route: "DialCall", fault: { type: "status", status: 503 }, times: 1 });
    sim.faults.add({ route: "DialCall", fault: { type: "status", status: 429, retryAfterSeconds: 0 }, times: 1 });
    const res = await telnyx.calls.dial({ connection_id: "c", from: "+12025550100", to: "+12025550111" });
    expect(res.data.call_control_id).toMatch(/^v3:/);
    expect(sim.faults.applied.map((a) => a.fault)).toEqual([
      { type: "status", status: 503 },
      { type: "status", status: 429, retryAfterSeconds: 0 },
    ]);
    expect(sim.calls.list()).toHaveLength(1);
  });

  it("gives up with a RateLimitError when 429s do not stop", async () => {
    sim.faults.add({ route: "RetrieveCallStatus", fault: { type: "status", status: 429, retryAfterSeconds: 0 } });
    await expect(telnyx.calls.retrieveStatus("v3:x")).rejects.toBeInstanceOf(RateLimitError);
  });

  it("surfaces 404 and 422/90018 as typed errors with the Telnyx error objects", async () => {
    await expect(telnyx.calls.actions.hangup("v3:unknown")).rejects.toBeInstanceOf(NotFoundError);
    const id = await answeredCall();
    await telnyx.calls.actions.hangup(id);
    const error = await telnyx.calls.actions.speak(id, { payload: "x", voice: "female" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as UnprocessableEntityError).status).toBe(422);
    expect((error as UnprocessableEntityError).errors[0]?.code).toBe("90018");
  });

  it("walks active calls across cursor pages with for await", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await telnyx.calls.dial({ connection_id: "conn-walk", from: "+12025550100", to: "+12025550111" });
      ids.push(res.data.call_control_id);
    }
    const seen: string[] = [];
    for await (const call of telnyx.connections.listActiveCalls("conn-walk", { page: { limit: 2 } })) {
      seen.push(call.call_control_id);
    }
    expect(seen).toEqual(ids);
  });

  it("events verify with @telnyx-voice/webhooks' nodeHandler and arrive in order", async () => {
    const webhooks = new Webhooks({ publicKey: sim.publicKey });
    const received: string[] = [];
    const server = createServer(
      webhooks.nodeHandler((event) => {
        received.push(event.data.event_type);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const res = await telnyx.calls.dial({
        connection_id: "c",
        from: "+12025550100",
        to: "+12025550486",
        webhook_url: `http://127.0.0.1:${port}/hooks`,
      });
      expect(res.data.call_control_id).toMatch(/^v3:/);
      await receiver.waitFor(() => received.length >= 2, "two events at the nodeHandler");
      await sim.idle();
      expect(received).toEqual(["call.initiated", "call.hangup"]);
      expect(sim.deliveries.map((d) => [d.eventType, d.attempt, d.ok, d.final])).toEqual([
        ["call.initiated", 1, true, true],
        ["call.hangup", 1, true, true],
      ]);
    } finally {
      server.close();
    }
  });
});
