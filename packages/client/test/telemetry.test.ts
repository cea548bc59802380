// Traces and metrics over real HTTP on loopback, read back from the OpenTelemetry SDK's in-memory exporters: a
// span per command with a CLIENT span per attempt under it (each resend saying why), the command metrics, and
// nothing at all when no SDK is registered.
import { trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, test } from "vitest";
import { registerOtel, sumOf, type TestOtel } from "../../webhooks/test/otel.js";
import { InternalServerError, UnprocessableEntityError } from "../src/index.js";
import { enableTelemetry } from "../src/otel.js";
import { API_KEY, apiErrors, clientFor, ok, startServer, type TestServer } from "./server.js";

let server: TestServer | undefined;
let otel: TestOtel | undefined;
afterEach(async () => {
  await server?.close();
  await otel?.close();
  server = undefined;
  otel = undefined;
});

const INTERNAL = 0;
const CLIENT = 2;
const ERROR = 2;
const SPEAK = { payload: "Hello", voice: "female" };
const DIAL = { connection_id: "conn-1", from: "+13125550001", to: "+13125550002" };

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) =>
  spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

describe("with an OpenTelemetry SDK registered", () => {
  test("a retried command: one span, an attempt span per try under it, the resend saying why", async () => {
    otel = registerOtel(enableTelemetry);
    server = await startServer([apiErrors(503), ok({ result: "ok" })]);
    await clientFor(server).calls.actions.speak("v3:call-1", SPEAK);

    const spans = otel.spans();
    const [command] = named(spans, "telnyx speak");
    expect(command).toBeDefined();
    if (!command) return;
    const commandId = server.requests[0]?.json?.command_id;
    expect(command.kind).toBe(INTERNAL);
    expect(command.attributes).toMatchObject({
      "telnyx.action": "speak",
      "telnyx.call_control_id": "v3:call-1",
      "telnyx.command_id": commandId,
      "telnyx.retries": 1,
      "telnyx.retry.reasons": ["503"],
      "http.request.method": "POST",
      "http.response.status_code": 200,
      "url.template": "/v2/calls/{call_control_id}/actions/speak",
    });
    expect(command.status.code).not.toBe(ERROR);

    const attempts = childrenOf(spans, command);
    expect(attempts.map((s) => [s.name, s.kind])).toEqual([
      ["POST /v2/calls/{call_control_id}/actions/speak", CLIENT],
      ["POST /v2/calls/{call_control_id}/actions/speak", CLIENT],
    ]);
    const [first, second] = [...attempts].sort(
      (a, b) => a.startTime[1] - b.startTime[1] + (a.startTime[0] - b.startTime[0]) * 1e9,
    );
    const { port } = new URL(server.url);
    expect(first?.attributes).toMatchObject({
      "http.response.status_code": 503,
      "error.type": "503",
      "server.address": "127.0.0.1",
      "server.port": Number(port),
      "url.full": `${server.url}/calls/v3:call-1/actions/speak`,
    });
    expect(first?.attributes["http.request.resend_count"]).toBeUndefined();
    expect(first?.status.code).toBe(ERROR);
    expect(second?.attributes).toMatchObject({
      "http.response.status_code": 200,
      "http.request.resend_count": 1,
      "telnyx.retry.reason": "503",
    });
    // Every span of the command is in one trace.
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  test("the command span is a child of the caller's active span", async () => {
    otel = registerOtel(enableTelemetry);
    server = await startServer(() => ok({ call_control_id: "v3:dialled" }));
    const telnyx = clientFor(server);
    await trace.getTracer("app").startActiveSpan("handle order", async (span) => {
      await telnyx.calls.dial(DIAL);
      span.end();
    });
    const spans = otel.spans();
    const [app] = named(spans, "handle order");
    const [dial] = named(spans, "telnyx dial");
    expect(dial?.parentSpanContext?.spanId).toBe(app?.spanContext().spanId);
    expect(dial?.spanContext().traceId).toBe(app?.spanContext().traceId);
    // A dial learns its call's id from the answer.
    expect(dial?.attributes["telnyx.call_control_id"]).toBe("v3:dialled");
  });

  test("failures without an answer, and resends of an unanswered command, name their reason", async () => {
    otel = registerOtel(enableTelemetry);
    server = await startServer([{ destroy: true }, ok(), { hang: true }, ok()]);
    const telnyx = clientFor(server);
    await telnyx.calls.actions.hangup("v3:a");
    await telnyx.calls.actions.answer("v3:b", undefined, { commandTimeout: 50 });

    const spans = otel.spans();
    const [hangup] = named(spans, "telnyx hangup");
    expect(hangup?.attributes["telnyx.retry.reasons"]).toEqual(["network"]);
    const dropped = childrenOf(spans, hangup as ReadableSpan).find((s) => s.status.code === ERROR);
    // The connection's own code (or the error's type) says how it failed.
    expect(dropped?.attributes["error.type"]).toMatch(/^[A-Z_]+$|Error$/);

    const [answer] = named(spans, "telnyx answer");
    expect(answer?.attributes["telnyx.retry.reasons"]).toEqual(["unanswered"]);
    const resend = childrenOf(spans, answer as ReadableSpan).find(
      (s) => s.attributes["http.request.resend_count"] === 1,
    );
    expect(resend?.attributes["telnyx.retry.reason"]).toBe("unanswered");
  });

  test("metrics: commands by action and outcome, retries by reason, duration; other requests are not commands", async () => {
    otel = registerOtel(enableTelemetry);
    server = await startServer([
      apiErrors(503),
      ok(),
      apiErrors(422, { code: "90018", title: "Call has already ended" }),
      { status: 500, body: { errors: [] } },
      { status: 500, body: { errors: [] } },
      { status: 500, body: { errors: [] } },
      ok({ call_control_id: "v3:c", is_alive: true }),
    ]);
    const telnyx = clientFor(server);
    await telnyx.calls.actions.speak("v3:a", SPEAK);
    await expect(telnyx.calls.actions.speak("v3:a", SPEAK)).rejects.toBeInstanceOf(UnprocessableEntityError);
    await expect(telnyx.calls.actions.hangup("v3:a")).rejects.toBeInstanceOf(InternalServerError);
    await telnyx.calls.retrieveStatus("v3:c");

    const commands = await otel.points("telnyx.client.commands");
    expect(sumOf(commands, { "telnyx.action": "speak", "telnyx.outcome": "ok" })).toBe(1);
    expect(sumOf(commands, { "telnyx.action": "speak", "telnyx.outcome": "error", "error.type": "422" })).toBe(1);
    expect(sumOf(commands, { "telnyx.action": "hangup", "telnyx.outcome": "error", "error.type": "500" })).toBe(1);
    // The status request is a span, not a command.
    expect(commands.reduce((sum, p) => sum + p.value, 0)).toBe(3);
    expect(named(otel.spans(), "telnyx GET /calls/{call_control_id}")).toHaveLength(1);

    const retries = await otel.points("telnyx.client.retries");
    expect(sumOf(retries, { "telnyx.action": "speak", "telnyx.retry.reason": "503" })).toBe(1);
    expect(sumOf(retries, { "telnyx.action": "hangup", "telnyx.retry.reason": "500" })).toBe(2);
    const durations = await otel.points("telnyx.client.command.duration");
    expect(sumOf(durations, { "telnyx.action": "speak" })).toBe(2);

    const [failed] = named(otel.spans(), "telnyx hangup");
    expect(failed?.status.code).toBe(ERROR);
    expect(failed?.attributes["error.type"]).toBe("500");
  });

  test("no attribute carries the API key or a header", async () => {
    otel = registerOtel(enableTelemetry);
    server = await startServer([apiErrors(401), ok()]);
    const telnyx = clientFor(server, { defaultHeaders: { "x-tenant": "acme" } });
    await telnyx.calls.actions.speak("v3:a", SPEAK).catch(() => undefined);
    await telnyx.calls.dial(DIAL);
    const recorded = JSON.stringify(otel.spans().map((s) => [s.name, s.attributes, s.status, s.events]));
    expect(recorded).toContain("telnyx.command_id");
    expect(recorded).not.toContain(API_KEY);
    expect(recorded.toLowerCase()).not.toContain("bearer");
    expect(recorded).not.toContain("acme");
  });
});

describe("without telemetry", () => {
  test("not enabled: an SDK registered records nothing from the client, and the core never loads the API", async () => {
    const { context, metrics, trace: traces } = await import("@opentelemetry/api");
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import(
      "@opentelemetry/sdk-trace-base"
    );
    const spans = new InMemorySpanExporter();
    traces.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    try {
      server = await startServer([apiErrors(503), ok({ call_control_id: "v3:x" })]);
      const res = await clientFor(server).calls.dial(DIAL);
      expect(res.data.call_control_id).toBe("v3:x");
      expect(spans.getFinishedSpans()).toHaveLength(0);
    } finally {
      traces.disable();
      context.disable();
      metrics.disable();
    }
    // Only the /otel entry imports @opentelemetry/api: an app without it installed loads the client as before.
    const { readFileSync } = await import("node:fs");
    for (const file of ["index.js", "index.cjs"]) {
      const built = readFileSync(new URL(`../dist/${file}`, import.meta.url), "utf8");
      expect(built).not.toContain("@opentelemetry");
    }
    expect(readFileSync(new URL("../dist/otel.js", import.meta.url), "utf8")).toContain("@opentelemetry/api");
  });

  test("enabled, then turned off: records nothing more", async () => {
    otel = registerOtel(enableTelemetry);
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    await telnyx.calls.actions.hangup("v3:a");
    const before = otel.spans().length;
    expect(before).toBeGreaterThan(0);
    otel.disable();
    await telnyx.calls.actions.hangup("v3:a");
    expect(otel.spans()).toHaveLength(before);
  });

  test("enabled with no SDK registered: commands go through, nothing is recorded", async () => {
    const { enableTelemetry } = await import("../src/otel.js");
    const disable = enableTelemetry();
    try {
      server = await startServer([apiErrors(503), ok({ call_control_id: "v3:y" })]);
      const res = await clientFor(server).calls.dial(DIAL);
      expect(res.data.call_control_id).toBe("v3:y");
      // Nothing is made for a request while no SDK is registered.
      const installed = (globalThis as Record<symbol, { start(...args: unknown[]): unknown }>)[
        Symbol.for("@telnyx-voice/client.telemetry")
      ];
      expect(installed?.start({ operation: "dial", method: "POST", schemaPath: "/calls" }, server.url, {})).toBe(
        undefined,
      );
    } finally {
      disable();
    }
  });
});
