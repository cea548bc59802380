// ai_assistant_join's answer stays valid against the spec's response schema, whose `conversation_id` is a uuid,
// whatever string the request's `conversation_id` is (the spec's own request example is "v3:abc123").
import { afterAll, beforeAll, expect, it } from "vitest";
import { responseValidator, type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, dialAnswered, type Receiver, startReceiver } from "./helpers.js";

let sim: Simulator;
let receiver: Receiver;
let call: Api;

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 5 });
  call = api(sim);
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

const TEMPLATE = "/calls/{call_control_id}/actions/ai_assistant_join";

async function join(conversationId: string) {
  const id = await dialAnswered(call, receiver);
  const res = await call<{ data: Record<string, unknown> }>(
    "POST",
    `/calls/${encodeURIComponent(id)}/actions/ai_assistant_join`,
    { conversation_id: conversationId, participant: { id, role: "user" } },
  );
  await call("POST", `/calls/${encodeURIComponent(id)}/actions/hangup`, {});
  return res;
}

it("echoes a uuid conversation_id", async () => {
  const conversationId = "d7e9c1d4-8b2a-4b8f-b3a7-9a671c9e9b0a";
  const res = await join(conversationId);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ data: { result: "ok", conversation_id: conversationId } });
  const validate = responseValidator("POST", TEMPLATE, 200);
  expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
});

it("leaves out a conversation_id that is no uuid (it names no conversation), so the answer stays valid", async () => {
  const res = await join("v3:abc123");
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ data: { result: "ok" } });
  const validate = responseValidator("POST", TEMPLATE, 200);
  expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
  // What the simulator answered before: the request's id echoed, which the schema refuses.
  expect(validate({ data: { result: "ok", conversation_id: "v3:abc123" } })).toBe(false);
});
