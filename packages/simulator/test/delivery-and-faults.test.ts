// Webhook redelivery (meta.attempt counting up, order kept) and injected faults over real sockets.
import { RateLimitError, Telnyx } from "@telnyx-voice/client";
import { afterEach, describe, expect, it } from "vitest";
import { type Simulator, type SimulatorOptions, startSimulator } from "../src/index.js";
import { seededRandom } from "../src/seeded-random.js";
import { api, type DialData, type Receiver, startReceiver } from "./helpers.js";

const started: Array<{ sim: Simulator; receiver: Receiver }> = [];
afterEach(async () => {
  for (const { sim, receiver } of started.splice(0)) {
    await sim.stop();
    await receiver.close();
  }
});

async function setup(options: SimulatorOptions = {}) {
  let sim: Simulator | undefined;
  const receiver = await startReceiver(() => sim!.publicKey);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 5, mediaDurationMs: 5, ...options });
  started.push({ sim, receiver });
  return { sim, receiver, call: api(sim) };
}

const dialBody = { connection_id: "c", from: "+12025550100", to: "+12025550111" };

describe("webhook redelivery", () => {
  it("redelivers an event the receiver did not accept, with meta.attempt counting up, and keeps the call's order", async () => {
    const { sim, receiver, call } = await setup({ redelivery: { baseDelayMs: 5, maxAttempts: 5 } });
    let failures = 2;
    receiver.respond = (e) => (e.data.event_type === "call.initiated" && failures-- > 0 ? 500 : 200);
    const res = await call<DialData>("POST", "/calls", dialBody);
    const id = res.body.data.call_control_id;
    await receiver.waitFor((evs) => evs.some((e) => e.data.event_type === "call.answered"), "call.answered");
    const attempts = receiver.events.filter((e) => e.data.event_type === "call.initiated").map((e) => e.meta.attempt);
    expect(attempts).toEqual([1, 2, 3]);
    // Same event each time (same id), and call.answered only after call.initiated was accepted.
    expect(
      new Set(receiver.events.filter((e) => e.data.event_type === "call.initiated").map((e) => e.data.id)).size,
    ).toBe(1);
    expect(receiver.events.map((e) => e.data.event_type)).toEqual([
      "call.initiated",
      "call.initiated",
      "call.initiated",
      "call.answered",
    ]);
    await sim.idle();
    const initiated = sim.deliveries.filter((d) => d.callControlId === id && d.eventType === "call.initiated");
    expect(initiated.map((d) => [d.attempt, d.status, d.ok, d.final, d.copy, d.target])).toEqual([
      [1, 500, false, false, 0, "primary"],
      [2, 500, false, false, 0, "primary"],
      [3, 200, true, true, 0, "primary"],
    ]);
    expect(new Set(initiated.map((d) => d.url))).toEqual(new Set([receiver.url]));
  });

  it("gives up after maxAttempts and records the failure", async () => {
    const { sim, receiver, call } = await setup({ redelivery: { baseDelayMs: 1, maxAttempts: 2 } });
    receiver.respond = () => 503;
    await call("POST", "/calls", { ...dialBody, to: "+12025550486" });
    await receiver.waitFor((evs) => evs.length >= 4, "two attempts of two events");
    await sim.idle();
    // One call's events in order: the hangup waits until the initiated event was given up.
    expect(sim.deliveries.map((d) => [d.eventType, d.attempt, d.ok, d.status, d.final])).toEqual([
      ["call.initiated", 1, false, 503, false],
      ["call.initiated", 2, false, 503, true],
      ["call.hangup", 1, false, 503, false],
      ["call.hangup", 2, false, 503, true],
    ]);
  });
});

describe("faults", () => {
  it("answers 429 with Retry-After on the chosen route, the given number of times", async () => {
    const { call } = await setup({
      faults: {
        rules: [{ route: "DialCall", fault: { type: "status", status: 429, retryAfterSeconds: 2 }, times: 1 }],
      },
    });
    const first = await call<{ errors: Array<{ code: string }> }>("POST", "/calls", dialBody);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("2");
    // Telnyx's rate-limit headers: the window's limit, none left, seconds until it resets.
    expect(first.headers.get("x-ratelimit-limit")).toBe("100");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(first.headers.get("x-ratelimit-reset")).toBe("2");
    expect(first.body.errors[0]?.code).toBe("10011");
    expect((await call("POST", "/calls", dialBody)).status).toBe(200);
  });

  it("a 429 fault is what our client's RateLimitError reads: limit, remaining, reset", async () => {
    const { sim } = await setup({
      faults: {
        rules: [{ route: "DialCall", fault: { type: "status", status: 429, retryAfterSeconds: 3, rateLimit: 20 } }],
      },
    });
    const telnyx = new Telnyx({ apiKey: "KEY_SIMULATOR", baseURL: sim.url, maxRetries: 0 });
    const error = await telnyx.calls.dial(dialBody).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    const limited = error as RateLimitError;
    expect([limited.limit, limited.remaining, limited.reset]).toEqual([20, 0, 3]);
  });

  it.each([500, 503] as const)("answers %i in the Telnyx error shape", async (status) => {
    const { call } = await setup({ faults: { rules: [{ route: "POST /calls", fault: { type: "status", status } }] } });
    const res = await call<{ errors: unknown[] }>("POST", "/calls", dialBody);
    expect(res.status).toBe(status);
    expect(res.body.errors).toHaveLength(1);
  });

  it("drops the connection without a response", async () => {
    const { call } = await setup({ faults: { rules: [{ route: "DialCall", fault: { type: "drop" }, times: 1 }] } });
    await expect(call("POST", "/calls", dialBody)).rejects.toThrow();
    expect((await call("POST", "/calls", dialBody)).status).toBe(200);
  });

  it("a dropped response after the command ran: the retry with the same command_id is not executed again", async () => {
    const { sim, call } = await setup({ answerDelayMs: 0 });
    const res = await call<DialData>("POST", "/calls", dialBody);
    const id = res.body.data.call_control_id;
    await sim.idle();
    sim.faults.add({ route: "SpeakCall", fault: { type: "drop", when: "after" }, times: 1 });
    const body = { payload: "exactly once", voice: "female", command_id: "speak-1" };
    await expect(call("POST", `/calls/${id}/actions/speak`, body)).rejects.toThrow();
    const retry = await call("POST", `/calls/${id}/actions/speak`, body);
    expect(retry.status).toBe(200);
    expect(sim.calls.get(id)?.eventTypes.filter((t) => t === "call.speak.started")).toHaveLength(1);
  });

  it("adds latency to a route without failing it", async () => {
    const { sim, call } = await setup({
      faults: { rules: [{ route: "DialCall", fault: { type: "latency", ms: 20 } }] },
    });
    expect((await call("POST", "/calls", dialBody)).status).toBe(200);
    expect(sim.faults.applied).toEqual([{ route: "POST /calls", fault: { type: "latency", ms: 20 } }]);
  });

  it("random faults with the same seed hit the same requests", async () => {
    const run = async () => {
      const { sim, call } = await setup({
        faults: { rate: 0.5, seed: 42, randomFaults: [{ type: "status", status: 503 }] },
      });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await call("GET", "/call_control_applications")).status);
      return { statuses, applied: sim.faults.applied.length };
    };
    const a = await run();
    const b = await run();
    expect(a.statuses).toEqual(b.statuses);
    expect(a.statuses).toContain(503);
    expect(a.statuses).toContain(200);
    expect(a.applied).toBe(a.statuses.filter((s) => s === 503).length);
  });

  it("seededRandom is deterministic and in [0, 1)", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 100 }, () => a());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(100);
  });

  it("rejects bad options with a clear error", async () => {
    await expect(startSimulator({ faults: { rate: 2 } })).rejects.toThrow("faults.rate must be between 0 and 1");
    await expect(startSimulator({ webhookUrl: "not a url" })).rejects.toThrow(
      "webhookUrl must be an absolute http(s) URL",
    );
    await expect(startSimulator({ port: 70000 })).rejects.toThrow("port must be an integer");
  });
});
