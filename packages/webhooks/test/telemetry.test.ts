// A span and metrics per webhook received, read back from the OpenTelemetry SDK's in-memory exporters:
// verification's outcome and a refusal's reason, the router's duplicates, late events and 503s, a handler's
// failure, the call's trace joined through `traceParent`; and nothing once telemetry is off.
import { createServer } from "node:http";
import { trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, test } from "vitest";
import { Webhooks } from "../src/node.js";
import { enableTelemetry } from "../src/otel.js";
import { callAnswered, nodeKeys, nodeSign } from "./helpers.js";
import { listen } from "./http-helpers.js";
import { registerOtel, sumOf, type TestOtel } from "./otel.js";

const keys = nodeKeys();
const SERVER = 1;
const INTERNAL = 0;
const ERROR = 2;
const URL_ = "http://127.0.0.1/webhooks";

let otel: TestOtel | undefined;
afterEach(async () => {
  await otel?.close();
  otel = undefined;
});

function signed(event: object, headers: Record<string, string> = {}): Request {
  const body = JSON.stringify(event);
  return new Request(URL_, { method: "POST", body, headers: { ...nodeSign(keys, body), ...headers } });
}

function answered(id: string, occurredAt: string, overrides: Record<string, unknown> = {}) {
  const event = callAnswered(overrides);
  return { ...event, data: { ...event.data, id, occurred_at: occurredAt } };
}

const webhookSpans = (o: TestOtel) => o.spans().filter((s) => s.name.startsWith("telnyx webhook"));

describe("with telemetry enabled", () => {
  test("refusals: their reason, not an error; a handler's failure is one, named by its type", async () => {
    otel = registerOtel(enableTelemetry);
    const webhooks = new Webhooks({ publicKey: keys.publicKey, onError: () => {}, onRejected: () => {} });
    const handle = webhooks.fetchHandler(() => {
      throw new RangeError("the app's own message, never recorded");
    });
    const bad = signed(callAnswered());
    const tampered = new Request(URL_, { method: "POST", body: `${await bad.text()} `, headers: bad.headers });
    expect((await handle(tampered)).status).toBe(400);
    expect((await handle(new Request(URL_, { method: "POST", body: "{}" }))).status).toBe(400);
    expect((await handle(new Request(URL_, { method: "GET" }))).status).toBe(405);
    expect((await handle(signed(callAnswered()))).status).toBe(500);

    const [signature, headers, method, failed] = webhookSpans(otel);
    for (const refused of [signature, headers, method]) {
      expect(refused?.name).toBe("telnyx webhook");
      expect(refused?.kind).toBe(SERVER);
      expect(refused?.attributes["telnyx.webhook.outcome"]).toBe("rejected");
      expect(refused?.status.code).not.toBe(ERROR);
    }
    expect(signature?.attributes).toMatchObject({
      "telnyx.webhook.verification": "rejected",
      "telnyx.webhook.rejection_reason": "signature_mismatch",
      "http.response.status_code": 400,
    });
    expect(headers?.attributes["telnyx.webhook.rejection_reason"]).toBe("missing_header");
    expect(method?.attributes["telnyx.webhook.rejection_reason"]).toBe("method_not_allowed");
    expect(failed?.name).toBe("telnyx webhook call.answered");
    expect(failed?.attributes).toMatchObject({
      "telnyx.webhook.verification": "verified",
      "telnyx.webhook.outcome": "failed",
      "telnyx.event_type": "call.answered",
      "error.type": "RangeError",
      "http.response.status_code": 500,
    });
    expect(failed?.status.code).toBe(ERROR);
    expect(JSON.stringify(webhookSpans(otel).map((s) => [s.attributes, s.status]))).not.toContain("own message");

    const received = await otel.points("telnyx.webhooks.received");
    expect(
      sumOf(received, {
        "telnyx.webhook.outcome": "rejected",
        "telnyx.webhook.rejection_reason": "signature_mismatch",
      }),
    ).toBe(1);
    expect(
      sumOf(received, { "telnyx.webhook.outcome": "rejected", "telnyx.webhook.rejection_reason": "missing_header" }),
    ).toBe(1);
    expect(sumOf(received, { "telnyx.webhook.outcome": "failed", "telnyx.event_type": "call.answered" })).toBe(1);
  });

  test("the router: a duplicate, a late event, a 503 while draining; its waits, and handlers under the span", async () => {
    otel = registerOtel(enableTelemetry);
    const webhooks = new Webhooks({ publicKey: keys.publicKey, onError: () => {} });
    const router = webhooks.router();
    const active: Array<string | undefined> = [];
    router.on("call.answered", () => {
      active.push(trace.getActiveSpan()?.spanContext().spanId);
    });
    const handle = router.fetchHandler();
    const later = answered("ev-later", "2026-07-16T12:31:09.000000Z");
    const earlier = answered("ev-earlier", "2026-07-16T12:31:08.000000Z");
    for (const event of [later, later, earlier]) expect((await handle(signed(event))).status).toBe(200);
    await router.drain({ timeoutMs: 100 });
    expect((await handle(signed(answered("ev-next", "2026-07-16T12:31:10.000000Z")))).status).toBe(503);

    const [first, copy, late, busy] = webhookSpans(otel);
    expect(first?.attributes).toMatchObject({
      "telnyx.webhook.outcome": "verified",
      "telnyx.event_id": "ev-later",
      "telnyx.webhook.duplicate": false,
      "telnyx.webhook.late": false,
    });
    expect(first?.attributes["telnyx.router.wait_ms"]).toEqual(expect.any(Number));
    expect(copy?.attributes).toMatchObject({ "telnyx.webhook.outcome": "duplicate", "telnyx.webhook.duplicate": true });
    expect(copy?.attributes["telnyx.webhook.late"]).toBeUndefined();
    expect(late?.attributes).toMatchObject({ "telnyx.webhook.outcome": "late", "telnyx.webhook.late": true });
    expect(busy?.attributes).toMatchObject({
      "telnyx.webhook.outcome": "busy",
      "telnyx.webhook.busy_reason": "draining",
    });
    expect(busy?.status.code).toBe(ERROR);
    // Each handler ran with its webhook's span active.
    expect(active).toEqual([first?.spanContext().spanId, late?.spanContext().spanId]);

    const received = await otel.points("telnyx.webhooks.received");
    for (const outcome of ["verified", "duplicate", "late", "busy"]) {
      expect(sumOf(received, { "telnyx.webhook.outcome": outcome }), outcome).toBe(1);
    }
    const waits = await otel.points("telnyx.router.wait.duration");
    expect(sumOf(waits, { "telnyx.webhook.late": false })).toBe(1);
    expect(sumOf(waits, { "telnyx.webhook.late": true })).toBe(1);
  });

  test("traceParent: a webhook joins the trace its event names; over node:http, under the server's span, as a link", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    otel = registerOtel(() =>
      enableTelemetry({
        traceParent: (event) => (event.data.payload as { client_state?: string }).client_state,
      }),
    );
    const webhooks = new Webhooks({ publicKey: keys.publicKey, onError: () => {} });
    const handler = webhooks.nodeHandler(() => {});
    // An HTTP server instrumentation's span, active while the handler runs.
    const server = createServer((req, res) => {
      trace.getTracer("http").startActiveSpan("POST /webhooks", (span) => {
        handler(req, res).finally(() => span.end());
      });
    });
    const { url, close } = await listen(server);
    try {
      for (const clientState of [`00-${traceId}-${parentId}-01`, "not a traceparent"]) {
        const body = JSON.stringify(callAnswered({ client_state: clientState }));
        const res = await fetch(url, { method: "POST", body, headers: nodeSign(keys, body) });
        expect(res.status).toBe(200);
      }
    } finally {
      await close();
    }
    const spans = otel.spans();
    const [joined, own] = webhookSpans(otel) as [ReadableSpan, ReadableSpan];
    const [first, second] = spans.filter((s) => s.name === "POST /webhooks") as [ReadableSpan, ReadableSpan];
    expect(joined.spanContext().traceId).toBe(traceId);
    expect(joined.parentSpanContext?.spanId).toBe(parentId);
    expect(joined.kind).toBe(SERVER);
    expect(joined.links.map((l) => l.context.spanId)).toEqual([first.spanContext().spanId]);
    // Without a traceparent it is the server span's child.
    expect(own.parentSpanContext?.spanId).toBe(second.spanContext().spanId);
    expect(own.kind).toBe(INTERNAL);
  });

  test("a traceParent that throws is as none: the webhook is handled, its span starts a trace", async () => {
    otel = registerOtel(() =>
      enableTelemetry({
        traceParent: () => {
          throw new Error("the app's bug");
        },
      }),
    );
    let handled = 0;
    const handle = new Webhooks({ publicKey: keys.publicKey, onError: () => {} }).fetchHandler(() => {
      handled++;
    });
    expect((await handle(signed(callAnswered()))).status).toBe(200);
    expect(handled).toBe(1);
    const [span] = webhookSpans(otel);
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.attributes["telnyx.webhook.outcome"]).toBe("verified");
  });

  test("a traceParent that is not a function is refused, saying what to pass", () => {
    expect(() => enableTelemetry({ traceParent: "00-x" as never })).toThrow(/traceParent must be a function/);
  });
});

describe("without telemetry", () => {
  test("handlers made before it is enabled, or after it is off, record nothing", async () => {
    otel = registerOtel(enableTelemetry);
    otel.disable();
    const webhooks = new Webhooks({ publicKey: keys.publicKey, onError: () => {} });
    const handle = webhooks.fetchHandler(() => {});
    expect((await handle(signed(callAnswered()))).status).toBe(200);
    expect(otel.spans()).toHaveLength(0);
    expect(await otel.points("telnyx.webhooks.received")).toEqual([]);
  });

  test("the core never loads @opentelemetry/api; only the /otel entry does", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const dist = new URL("../dist/", import.meta.url);
    for (const file of readdirSync(dist).filter((f) => /\.c?js$/.test(f) && !f.startsWith("otel."))) {
      expect(readFileSync(new URL(file, dist), "utf8"), file).not.toContain("@opentelemetry");
    }
    expect(readFileSync(new URL("otel.js", dist), "utf8")).toContain("@opentelemetry/api");
  });
});
