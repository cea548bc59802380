// How many digits the far end may press: at most MAX_DIGITS_AT_ONCE per press or script, and at most
// MAX_DIGITS_WAITING held by a call for its next gathers. 200,000 digits in one press once stalled the simulator
// for a second and added 240 MB; many small presses on a call with no gather grew it without end. A refused
// press leaves no trace: no event, nothing kept.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DigitsRefused,
  InvalidInboundCall,
  MAX_DIGITS_AT_ONCE,
  MAX_DIGITS_WAITING,
  type SimCall,
  type Simulator,
  startSimulator,
} from "../src/index.js";
import { type Api, api, type DialData, type Receiver, startReceiver } from "./helpers.js";

let sim: Simulator;
let receiver: Receiver;
let call: Api;
let farEnd: Api;

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 5, maxGatherWaitMs: 2000 });
  call = api(sim);
  farEnd = api(sim, undefined, "far end");
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});
afterEach(() => sim.idle());

const digits = (n: number) => "1".repeat(n);
const caller = { from: "+12025550142", to: "+12025550100", connectionId: "c-in" };
const act = (id: string, action: string, body: Record<string, unknown> = {}) =>
  call("POST", `/calls/${encodeURIComponent(id)}/actions/${action}`, body);
const dtmfCount = (c: SimCall) => c.eventTypes.filter((t) => t === "call.dtmf.received").length;

interface Refusal {
  errors: Array<{ code: string; detail: string; source?: { pointer: string } }>;
}

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

/** An inbound call answered by the app, with no gather running. */
async function answeredInbound(): Promise<SimCall> {
  const inbound = sim.inboundCall({ ...caller, webhookUrl: receiver.url });
  expect((await act(inbound.callControlId, "answer")).status).toBe(200);
  return inbound;
}

describe("one press", () => {
  it(`pressDigits refuses more than ${MAX_DIGITS_AT_ONCE} digits with DigitsRefused, pressing none`, async () => {
    const c = await answeredInbound();
    const error = thrownBy(() => c.pressDigits(digits(200_000)));
    expect(error).toBeInstanceOf(DigitsRefused);
    expect(error).toMatchObject({ reason: "invalid_digits" });
    expect((error as Error).message).toContain(`at most ${MAX_DIGITS_AT_ONCE} digits at once, got 200000`);
    expect(dtmfCount(c)).toBe(0);
    c.pressDigits(digits(MAX_DIGITS_AT_ONCE));
    expect(dtmfCount(c)).toBe(MAX_DIGITS_AT_ONCE);
  });

  it("POST press_digits answers 422 pointing at digits, pressing none", async () => {
    const c = await answeredInbound();
    const path = `/calls/${encodeURIComponent(c.callControlId)}/press_digits`;
    const res = await farEnd<Refusal>("POST", path, { digits: digits(200_000) });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ code: "10015", source: { pointer: "/digits" } });
    expect(res.body.errors[0]?.detail).toContain(`at most ${MAX_DIGITS_AT_ONCE} digits at once`);
    expect(dtmfCount(c)).toBe(0);
    expect((await farEnd("POST", path, { digits: digits(MAX_DIGITS_AT_ONCE) })).status).toBe(200);
  });

  it("send_dtmf refuses more characters than that with 422", async () => {
    const { body } = await call<DialData>("POST", "/calls", {
      connection_id: "c",
      from: "+12025550100",
      to: "+12025550111",
    });
    const dialled = body.data.call_control_id;
    await receiver.waitFor(() => receiver.ofCall(dialled).includes("call.answered"), "the answer");
    const res = await act(dialled, "send_dtmf", { digits: digits(MAX_DIGITS_AT_ONCE + 1) });
    expect(res.status).toBe(422);
    expect((res.body as unknown as Refusal).errors[0]?.source?.pointer).toBe("/digits");
  });
});

describe("scripts", () => {
  it("inboundCall({ digits }) and POST /inbound_calls refuse a script longer than a press", async () => {
    const calls = sim.calls.list().length;
    const error = thrownBy(() => sim.inboundCall({ ...caller, digits: digits(MAX_DIGITS_AT_ONCE + 1) }));
    expect(error).toBeInstanceOf(InvalidInboundCall);
    expect(error).toMatchObject({ option: "digits" });
    expect((error as Error).message).toContain(`at most ${MAX_DIGITS_AT_ONCE} digits at once`);
    const res = await farEnd<Refusal>("POST", "/inbound_calls", {
      from: caller.from,
      to: caller.to,
      connection_id: caller.connectionId,
      webhook_url: receiver.url,
      digits: digits(200_000),
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.source?.pointer).toBe("/digits");
    expect(sim.calls.list()).toHaveLength(calls);
  });

  it("farEnd(number, { digits }) and POST /far_ends refuse a script longer than a press", async () => {
    expect(() => sim.farEnd("+12025550155", { digits: digits(MAX_DIGITS_AT_ONCE + 1) })).toThrow(
      new RegExp(`farEnd\\(number, \\{ digits \\}\\): digits may hold at most ${MAX_DIGITS_AT_ONCE} digits at once`),
    );
    const res = await farEnd<Refusal>("POST", "/far_ends", { number: "+12025550155", digits: digits(200_000) });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.source?.pointer).toBe("/digits");
    sim.farEnd("+12025550155", { digits: digits(MAX_DIGITS_AT_ONCE) });
  });
});

describe("digits a call holds for its next gathers", () => {
  it(`refuses a press past ${MAX_DIGITS_WAITING} held, over HTTP (422, 90033) and in code, until a gather takes some`, async () => {
    // Ringing: every press waits for the first gather.
    const ringing = sim.inboundCall({ ...caller, webhookUrl: receiver.url });
    for (let i = 0; i < MAX_DIGITS_WAITING / MAX_DIGITS_AT_ONCE; i++) ringing.pressDigits(digits(MAX_DIGITS_AT_ONCE));
    const error = thrownBy(() => ringing.pressDigits("1"));
    expect(error).toBeInstanceOf(DigitsRefused);
    expect(error).toMatchObject({ reason: "too_many_waiting" });
    expect((error as Error).message).toMatch(/already holds 1024 digits .* Start a gather/);
    const path = `/calls/${encodeURIComponent(ringing.callControlId)}/press_digits`;
    const res = await farEnd<Refusal>("POST", path, { digits: "1" });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.code).toBe("90033");

    // A gather of 128 takes 128 of them: room for 128 more, and not one beyond.
    expect((await act(ringing.callControlId, "answer")).status).toBe(200);
    expect((await act(ringing.callControlId, "gather", { maximum_digits: 128 })).status).toBe(200);
    await receiver.waitFor(() => receiver.ofCall(ringing.callControlId).includes("call.gather.ended"), "the gather");
    expect((await farEnd("POST", path, { digits: digits(128) })).status).toBe(200);
    expect(() => ringing.pressDigits("1")).toThrow(DigitsRefused);
  });

  it("answered with no gather, many small presses stop at the bound too, each refused one reported nowhere", async () => {
    const c = await answeredInbound();
    for (let i = 0; i < MAX_DIGITS_WAITING; i++) c.pressDigits("5");
    expect(dtmfCount(c)).toBe(MAX_DIGITS_WAITING);
    expect(() => c.pressDigits("5")).toThrow(DigitsRefused);
    expect(dtmfCount(c)).toBe(MAX_DIGITS_WAITING);
  });

  it("send_dtmf to a bridged leg that holds the bound is refused with 422, 90033", async () => {
    const { body } = await call<DialData>("POST", "/calls", {
      connection_id: "c",
      from: "+12025550100",
      to: "+12025550111",
    });
    const dialled = body.data.call_control_id;
    await receiver.waitFor(() => receiver.ofCall(dialled).includes("call.answered"), "the answer");
    const peer = await answeredInbound();
    expect((await act(dialled, "bridge", { call_control_id: peer.callControlId })).status).toBe(200);
    for (let i = 0; i < MAX_DIGITS_WAITING / MAX_DIGITS_AT_ONCE; i++) peer.pressDigits(digits(MAX_DIGITS_AT_ONCE));
    const res = await act(dialled, "send_dtmf", { digits: "12" });
    expect(res.status).toBe(422);
    expect((res.body as unknown as Refusal).errors[0]?.code).toBe("90033");
  });
});
