// The far end of outbound calls scripted by number (sim.farEnd, and POST /_simulator/far_ends), playback that
// loops until stopped, playback_stop ending speech too, and occurred_at that orders events emitted at once.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { DEFAULT_API_KEY, eventValidator, type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, type DialData, type Receiver, startReceiver } from "./helpers.js";

let sim: Simulator;
let receiver: Receiver;
let call: Api;

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({
    webhookUrl: receiver.url,
    answerDelayMs: 5,
    mediaDurationMs: 40,
    maxGatherWaitMs: 2000,
  });
  call = api(sim);
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});
afterEach(async () => {
  await sim.idle();
  for (const event of receiver.events) {
    const validate = eventValidator(event.data.event_type);
    expect(validate(event), `${event.data.event_type}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const act = (id: string, action: string, body: Record<string, unknown> = {}) =>
  call("POST", `/calls/${encodeURIComponent(id)}/actions/${action}`, body);

async function dialAnswered(to: string): Promise<string> {
  const { body } = await call<DialData>("POST", "/calls", { connection_id: "far", from: "+12025550100", to });
  const { data } = body;
  await receiver.waitFor(() => receiver.ofCall(data.call_control_id).includes("call.answered"), "the answer");
  return data.call_control_id;
}

const gathered = (id: string) =>
  receiver.events.find((e) => e.data.payload.call_control_id === id && e.data.event_type === "call.gather.ended")?.data
    .payload.digits;

it("the far end of the next calls to a number presses the digits scripted for it, one script per call", async () => {
  sim.farEnd("+1 (202) 555-0123", { digits: "2" });
  sim.farEnd("+12025550123", { digits: "1" });
  const first = await dialAnswered("+12025550123");
  const second = await dialAnswered("+12025550123");
  const third = await dialAnswered("+12025550123");
  for (const id of [first, second, third]) await act(id, "gather", { maximum_digits: 1, timeout_millis: 300 });
  await receiver.waitFor(() => [first, second, third].every((id) => gathered(id) !== undefined), "three gathers");
  expect([gathered(first), gathered(second), gathered(third)]).toEqual(["2", "1", ""]);
  expect(() => sim.farEnd("agent", { digits: "1" })).toThrow(TypeError);
  expect(() => sim.farEnd("+12025550123", { digits: "1x" })).toThrow(/only 0-9, A-D, \* and #/);
});

it("POST /_simulator/far_ends scripts the far end over HTTP, and refuses what is not digits", async () => {
  const post = (body: unknown) =>
    fetch(`${sim.url.replace(/\/v2$/, "")}/_simulator/far_ends`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEFAULT_API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  expect((await post({ number: "+12025550124", digits: "7" })).status).toBe(201);
  const bad = await post({ number: "+12025550124", digits: "seven" });
  expect(bad.status).toBe(422);
  expect(JSON.stringify(await bad.json())).toContain("/digits");
  const id = await dialAnswered("+12025550124");
  await act(id, "gather", { maximum_digits: 1, timeout_millis: 300 });
  await receiver.waitFor(() => gathered(id) !== undefined, "the gather");
  expect(gathered(id)).toBe("7");
});

it("a playback with loop: infinity plays until playback_stop, which ends it cancelled; loop: 3 lasts three times as long", async () => {
  const id = await dialAnswered("+12025550125");
  await act(id, "playback_start", { audio_url: "https://example.com/hold.mp3", loop: "infinity" });
  await sleep(300);
  expect(receiver.ofCall(id)).not.toContain("call.playback.ended");
  await act(id, "playback_stop", {});
  await receiver.waitFor(() => receiver.ofCall(id).includes("call.playback.ended"), "the playback's end");
  const ended = receiver.events.find(
    (e) => e.data.payload.call_control_id === id && e.data.event_type === "call.playback.ended",
  );
  expect(ended?.data.payload.status).toBe("cancelled");

  const started = Date.now();
  await act(id, "playback_start", { audio_url: "https://example.com/chime.mp3", loop: 3 });
  await receiver.waitFor(() => receiver.ofCall(id).filter((t) => t === "call.playback.ended").length === 2, "3 loops");
  expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 40 - 5);
  const refused = await fetch(`${sim.url}/calls/${encodeURIComponent(id)}/actions/playback_start`, {
    method: "POST",
    headers: { authorization: `Bearer ${DEFAULT_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ audio_url: "https://example.com/a.mp3", loop: 0 }),
  });
  expect(refused.status).toBe(422);
});

it("playback_stop ends a speak too (call.speak.ended, status completed: the spec has no other)", async () => {
  let slow: Simulator | undefined;
  const heard = await startReceiver(() => slow?.publicKey ?? "");
  slow = await startSimulator({ webhookUrl: heard.url, answerDelayMs: 5, mediaDurationMs: 5000 });
  try {
    const {
      body: { data },
    } = await api(slow)<DialData>("POST", "/calls", { connection_id: "far", from: "+12025550100", to: "+12025550126" });
    const id = data.call_control_id;
    await heard.waitFor(() => heard.ofCall(id).includes("call.answered"), "the answer");
    await api(slow)("POST", `/calls/${encodeURIComponent(id)}/actions/speak`, {
      payload: "A long speech",
      voice: "female",
    });
    const started = Date.now();
    await api(slow)("POST", `/calls/${encodeURIComponent(id)}/actions/playback_stop`, {});
    await heard.waitFor(() => heard.ofCall(id).includes("call.speak.ended"), "the speak's end");
    expect(Date.now() - started).toBeLessThan(2000);
    const ended = heard.events.find((e) => e.data.event_type === "call.speak.ended");
    expect(ended?.data.payload.status).toBe("completed");
    expect(eventValidator("call.speak.ended")(ended)).toBe(true);
  } finally {
    await slow.stop();
    await heard.close();
  }
});

it("events emitted at once carry strictly increasing occurred_at, to the microsecond as Telnyx writes it", async () => {
  const id = await dialAnswered("+12025550127");
  sim.calls.get(id)?.pressDigits("123456789");
  await receiver.waitFor(() => receiver.ofCall(id).filter((t) => t === "call.dtmf.received").length === 9, "9 digits");
  const stamps = receiver.events
    .filter((e) => e.data.payload.call_control_id === id && e.data.event_type === "call.dtmf.received")
    .map((e) => [e.data.payload.digit, e.data.occurred_at] as const)
    .sort((a, b) => (a[1] < b[1] ? -1 : 1));
  expect(stamps.map(([digit]) => digit).join("")).toBe("123456789");
  for (const [, at] of stamps) expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});
