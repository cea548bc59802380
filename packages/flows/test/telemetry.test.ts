// One IVR call through the simulator, as one trace read back from the OpenTelemetry SDK's in-memory exporters:
// the webhooks of both legs, the flow's awaits, the commands and their HTTP attempts, their parents and
// attributes; and the metrics, from sdk-metrics' in-memory reader.
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, expect, test } from "vitest";
import { registerOtel, sumOf, type TestOtel } from "../../webhooks/test/otel.js";
import { enableTelemetry } from "../src/otel.js";
import { AGENT, deferred, type Harness, harness, OUR_NUMBER, until } from "./harness.js";

let h: Harness<unknown> | undefined;
let otel: TestOtel | undefined;
afterEach(async () => {
  await h?.close();
  await otel?.close();
  h = undefined;
  otel = undefined;
});

const SERVER = 1;
const CLIENT = 2;

test("the trace of one IVR call, whole: webhooks, awaits, commands and attempts, one trace", async () => {
  otel = registerOtel(enableTelemetry);
  // Duplicates (seeded), so that the router's duplicates show; one delivery of a call at a time, so the order
  // of the trace is the order of the call.
  const t = await harness({ delivery: { duplicateRate: 0.3, seed: 4 } });
  h = t;
  const done = deferred<void>();
  const running: Array<Array<[unknown, number]>> = [];
  t.flows.incoming(async (call) => {
    await call.answer();
    const gather = await call.gatherUsingSpeak({
      payload: "Welcome to Acme. Press 1 for sales.",
      voice: "female",
      valid_digits: "12",
      maximum_digits: 1,
    });
    expect(gather.digits).toBe("1");
    await call.speak({ payload: "Connecting you to sales.", voice: "female" });
    const agent = await t.flows.dial({ connection_id: "flows-app", from: OUR_NUMBER, to: AGENT });
    await call.bridge(agent);
    const points = await (otel as TestOtel).points("telnyx.flows.running");
    running.push(points.map((p) => [p.attributes["telnyx.call.direction"], p.value]));
    await agent.hangup();
    await call.ended;
    done.resolve();
  });
  const customer = t.callIn("1");
  await done.promise;
  await t.sim.idle();
  // Every POST the simulator made has been answered, so its span has ended.
  const webhookSpans = () => otel?.spans().filter((s) => s.name.startsWith("telnyx webhook")) ?? [];
  await until(() => webhookSpans().length === t.sim.deliveries.length, "every webhook's span");

  const spans = otel.spans();
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? "");

  // One call, one trace, one root: the customer's call.initiated webhook.
  expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  const roots = spans.filter((s) => !s.parentSpanContext);
  expect(roots.map((s) => s.name)).toEqual(["telnyx webhook call.initiated"]);
  const [root] = roots as [ReadableSpan];
  expect(root.kind).toBe(SERVER);
  expect(root.attributes).toMatchObject({ "telnyx.call_control_id": customer, "telnyx.webhook.outcome": "verified" });

  // The webhooks: each verified, with its event; the customer's under the root, the agent's under the dial.
  const webhooks = webhookSpans();
  const [dial] = spans.filter((s) => s.name === "flow dial");
  expect(dial).toBeDefined();
  const agentId = dial?.attributes["telnyx.call_control_id"];
  expect(typeof agentId).toBe("string");
  for (const span of webhooks) {
    expect(span.kind).toBe(SERVER);
    expect(span.attributes["telnyx.webhook.verification"]).toBe("verified");
    expect(span.name).toBe(`telnyx webhook ${span.attributes["telnyx.event_type"]}`);
    expect(span.attributes["telnyx.event_id"]).toEqual(expect.any(String));
    expect(span.attributes["http.response.status_code"]).toBe(200);
    if (span === root) continue;
    const leg = span.attributes["telnyx.call_control_id"];
    expect(parentOf(span)).toBe(leg === customer ? root : dial);
  }
  // Duplicates are answered without running the flow, and say so; each event ran its handler once.
  const outcomes = webhooks.map((s) => s.attributes["telnyx.webhook.outcome"]);
  const duplicates = outcomes.filter((o) => o === "duplicate").length;
  expect(duplicates).toBeGreaterThan(0);
  expect(outcomes.filter((o) => o === "verified").length).toBe(
    new Set(webhooks.map((s) => s.attributes["telnyx.event_id"])).size,
  );
  for (const span of webhooks.filter((s) => s.attributes["telnyx.webhook.outcome"] === "verified")) {
    expect(span.attributes).toMatchObject({ "telnyx.webhook.duplicate": false, "telnyx.webhook.late": false });
    expect(span.attributes["telnyx.router.wait_ms"]).toEqual(expect.any(Number));
  }

  // The flow's awaits in order, each under the webhook that woke the flow: the first under call.initiated,
  // each next one under the webhook that completed the one before it.
  const awaits = spans
    .filter((s) => s.name.startsWith("flow ") && s.attributes["telnyx.call_control_id"] === customer)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  const customerAwaits = awaits.filter((s) => s !== dial);
  expect(customerAwaits.map((s) => s.name)).toEqual([
    "flow answer",
    "flow gatherUsingSpeak",
    "flow speak",
    "flow bridge",
  ]);
  expect(customerAwaits.map((s) => s.attributes["telnyx.completed_by"])).toEqual([
    "call.answered",
    "call.gather.ended",
    "call.speak.ended",
    "call.bridged",
  ]);
  const sequence = [...customerAwaits.slice(0, 3), dial as ReadableSpan, customerAwaits[3] as ReadableSpan];
  let woke = root;
  for (const span of sequence) {
    const parent = parentOf(span);
    expect(parent, span.name).toBe(woke);
    if (span === dial) continue;
    const completedBy = span.attributes["telnyx.completed_by"];
    const completing = webhooks.filter(
      (w) =>
        w.attributes["telnyx.event_type"] === completedBy &&
        w.attributes["telnyx.webhook.outcome"] === "verified" &&
        w.attributes["telnyx.call_control_id"] === customer,
    );
    expect(completing).toHaveLength(1);
    woke = completing[0] as ReadableSpan;
  }

  // Each await's command is its child, and each command's HTTP attempts are the command's.
  const commands = spans.filter((s) => s.name.startsWith("telnyx ") && !s.name.startsWith("telnyx webhook"));
  expect(commands.map((s) => s.name).sort()).toEqual(
    [
      "telnyx answer",
      "telnyx bridge",
      "telnyx dial",
      "telnyx gatherUsingSpeak",
      "telnyx hangup",
      "telnyx speak",
    ].sort(),
  );
  for (const command of commands) {
    const action = command.name.slice("telnyx ".length);
    const parent = parentOf(command) as ReadableSpan;
    expect(parent.name).toBe(`flow ${action}`);
    expect(command.attributes).toMatchObject({ "telnyx.action": action, "http.response.status_code": 200 });
    expect(command.attributes["telnyx.command_id"]).toEqual(expect.any(String));
    expect(command.attributes["telnyx.call_control_id"]).toBe(
      action === "dial" || action === "hangup" ? agentId : customer,
    );
    const attempts = spans.filter((s) => parentOf(s) === command);
    expect(attempts.map((s) => s.kind)).toEqual([CLIENT]);
    expect(attempts[0]?.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 200 });
  }
  // The agent's hangup, sent from the customer's flow, is under the webhook that woke that flow last.
  const hangup = spans.find((s) => s.name === "flow hangup");
  expect(parentOf(hangup as ReadableSpan)).toBe(woke);
  expect(woke.attributes["telnyx.event_type"]).toBe("call.bridged");

  // Metrics: the commands by action and outcome, the webhooks by outcome, the router's waits, flows running.
  const commandPoints = await otel.points("telnyx.client.commands");
  for (const action of ["answer", "gatherUsingSpeak", "speak", "dial", "bridge", "hangup"]) {
    expect(sumOf(commandPoints, { "telnyx.action": action, "telnyx.outcome": "ok" }), action).toBe(1);
  }
  const received = await otel.points("telnyx.webhooks.received");
  expect(sumOf(received, { "telnyx.webhook.outcome": "duplicate" })).toBe(duplicates);
  expect(sumOf(received, {})).toBe(t.sim.deliveries.length);
  const waits = await otel.points("telnyx.router.wait.duration");
  expect(sumOf(waits, {})).toBe(webhooks.length - duplicates);
  expect(running).toEqual([
    [
      ["incoming", 1],
      ["outgoing", 1],
    ],
  ]);
  const after = await otel.points("telnyx.flows.running");
  expect(after.map((p) => p.value)).toEqual([0, 0]);
  expect(t.errors).toEqual([]);
});
