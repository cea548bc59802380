// Every operation of the slice is called once and its response checked against the spec's response schema.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { responseValidator, type Simulator, startSimulator } from "../src/index.js";
import { sliceDocument } from "../src/schema/slice.js";
import { type Api, api, dialAnswered, type Receiver, startReceiver } from "./helpers.js";

let sim: Simulator;
let receiver: Receiver;
let call: Api;

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({
    webhookUrl: receiver.url,
    answerDelayMs: 5,
    mediaDurationMs: 5,
    maxGatherWaitMs: 50,
    // The stream that fails on purpose is reported through warn.
    logger: { warn: () => {}, error: (message) => console.error(message) },
  });
  call = api(sim);
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

// Bodies for the actions with required fields; the rest are sent `{}`.
const bodies: Record<string, (other: string) => Record<string, unknown>> = {
  ai_assistant_join: () => ({
    conversation_id: "5b4e4c1a-1111-4a1a-9c1a-1a1a1a1a1a1a",
    participant: { id: "v3:abc", role: "user" },
  }),
  bridge: (other) => ({ call_control_id: other }),
  client_state_update: () => ({ client_state: "aGVsbG8=" }),
  conversation_relay_start: () => ({ url: "wss://example.com/relay" }),
  enqueue: () => ({ queue_name: "support" }),
  gather_using_ai: () => ({ parameters: { type: "object", properties: {} } }),
  gather_using_speak: () => ({ payload: "Press 1", voice: "female" }),
  playback_start: () => ({ audio_url: "https://example.com/a.mp3" }),
  record_start: () => ({ format: "mp3", channels: "single" }),
  refer: () => ({ sip_address: "sip:user@example.com" }),
  reject: () => ({ cause: "USER_BUSY" }),
  send_dtmf: () => ({ digits: "1#" }),
  send_sip_info: () => ({ content_type: "application/json", body: "{}" }),
  speak: () => ({ payload: "Hello", voice: "female" }),
  // Nothing listens there: the command is answered, and the stream fails afterwards (streaming.failed).
  streaming_start: () => ({ stream_url: "ws://127.0.0.1:1/" }),
  switch_supervisor_role: () => ({ role: "barge" }),
  transfer: () => ({ to: "+12025550199" }),
};

const operations = Object.entries(sliceDocument.paths).flatMap(([template, item]) =>
  Object.entries(item).map(([method, op]) => ({ template, method: method.toUpperCase(), operationId: op.operationId })),
);

describe("every operation of the slice", () => {
  it("the slice has the 48 operations the simulator serves", () => {
    expect(operations).toHaveLength(48);
  });

  it.each(operations)(
    "$method $template answers 2xx with a body valid against the spec",
    async ({ template, method }) => {
      let path = template;
      let body: Record<string, unknown> | undefined;
      if (template.includes("{call_control_id}")) {
        const segment = template.split("/actions/")[1];
        let id: string;
        if (segment === "answer" || segment === "reject") {
          const connectionId = `conn-${segment}`;
          const inbound = sim.inboundCall({
            from: "+12025550142",
            to: "+12025550100",
            connectionId,
            webhookUrl: receiver.url,
          });
          id = inbound.callControlId;
        } else {
          id = await dialAnswered(call, receiver);
        }
        const other = segment === "bridge" ? await dialAnswered(call, receiver) : "";
        // Stopping, pausing or resuming a recording needs one running.
        if (segment?.startsWith("record_") && segment !== "record_start") {
          await call("POST", `/calls/${encodeURIComponent(id)}/actions/record_start`, {
            format: "mp3",
            channels: "single",
          });
        }
        path = template.replace("{call_control_id}", encodeURIComponent(id));
        body = segment === undefined ? undefined : (bodies[segment]?.(other) ?? {});
      } else if (template === "/calls") {
        body = { connection_id: "conn-1", from: "+12025550100", to: "+12025550111", webhook_url: receiver.url };
      } else if (template.includes("{connection_id}")) {
        await dialAnswered(call, receiver, { connection_id: "conn-active" });
        path = template.replace("{connection_id}", "conn-active");
      } else if (template === "/call_control_applications") {
        if (method === "POST") body = { application_name: "resp-test", webhook_event_url: receiver.url };
      } else if (template === "/call_control_applications/{id}") {
        const app = sim.applications.create({ application_name: "to-change", webhook_event_url: receiver.url });
        path = template.replace("{id}", app.id!);
        if (method === "PATCH") body = { application_name: "changed", webhook_event_url: receiver.url };
      }
      const res = await call(method, path, body);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      const validate = responseValidator(method, template, res.status);
      expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
      // The spec leaves `data` optional; the simulator always sends it, as Telnyx does.
      expect(res.body).toHaveProperty("data");
    },
  );
});
