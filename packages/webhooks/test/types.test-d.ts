// Type-level tests: `vitest run --typecheck` fails when one of these stops compiling.
import type { IncomingHttpHeaders } from "node:http";
import type { CallAnsweredEvent, CallHangupEvent } from "@telnyx-voice/types";
import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { describe, expectTypeOf, test } from "vitest";
import {
  type TelnyxWebhookEvent,
  type UnknownWebhookEvent,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookMeta,
  Webhooks,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from "../src/index.js";
import { signPayload } from "../src/testing.js";

declare const webhooks: Webhooks;
declare const body: string;

describe("unwrap", () => {
  test("returns a known event or an unknown one", async () => {
    const event = await webhooks.unwrap(body, {});
    expectTypeOf(event).toEqualTypeOf<WebhookEvent>();
    expectTypeOf<WebhookEvent>().toEqualTypeOf<TelnyxWebhookEvent | UnknownWebhookEvent>();
  });

  test("narrows on a known event_type, to exactly that event", async () => {
    const event = await webhooks.unwrap(body, {});
    if (event.data.event_type === "call.answered") {
      expectTypeOf(event.data.payload.call_control_id).toEqualTypeOf<string | undefined>();
      expectTypeOf(event.data).toEqualTypeOf<CallAnsweredEvent["data"]>();
      // @ts-expect-error call.answered has no hangup_cause
      event.data.payload.hangup_cause;
      // @ts-expect-error nor a field nobody has
      event.data.payload.not_a_field;
    }
    switch (event.data.event_type) {
      case "call.hangup":
        expectTypeOf(event.data).toEqualTypeOf<CallHangupEvent["data"]>();
        expectTypeOf(event.data.payload.hangup_cause).not.toBeNever();
        break;
      default:
        break;
    }
  });

  test("types the delivery metadata", async () => {
    const event = await webhooks.unwrap(body, {});
    expectTypeOf(event.meta).toEqualTypeOf<WebhookMeta>();
    expectTypeOf(event.meta.attempt).toEqualTypeOf<number>();
    expectTypeOf(event.meta.delivered_to).toEqualTypeOf<string>();
    expectTypeOf(event.data.id).toEqualTypeOf<string>();
  });

  test("keeps unknown event types usable as strings", async () => {
    const event = await webhooks.unwrap(body, {});
    expectTypeOf(event.data.event_type).toExtend<string>();
    const unknown = {} as UnknownWebhookEvent;
    expectTypeOf(unknown.data.payload).toEqualTypeOf<Record<string, unknown>>();
    // @ts-expect-error a misspelt known type is caught
    if (event.data.event_type === "call.answerd") return;
  });

  test("knows every event type of the spec's slice", () => {
    expectTypeOf<
      "call.answered" | "call.hangup" | "call.initiated" | "call.dtmf.received"
    >().toExtend<WebhookEventType>();
    expectTypeOf<TelnyxWebhookEvent["data"]["event_type"]>().toEqualTypeOf<WebhookEventType>();
  });
});

describe("inputs", () => {
  test("takes bodies and headers in every shape", () => {
    expectTypeOf(webhooks.verify).parameter(0).toEqualTypeOf<string | Uint8Array | ArrayBuffer>();
    webhooks.verify(Buffer.from(body), {} as IncomingHttpHeaders);
    webhooks.verify(body, new Headers());
    webhooks.verify(body, { "Telnyx-Timestamp": "1", "telnyx-signature-ed25519": ["a", "b"] });
    expectTypeOf(webhooks.verify(body, {})).toEqualTypeOf<Promise<void>>();
  });

  test("accepts the headers signPayload returns", async () => {
    await webhooks.verify(body, await signPayload(body, "key"));
  });

  test("construction options", () => {
    new Webhooks();
    new Webhooks({ publicKey: "k", tolerance: 60, maxBodyBytes: 1024 });
    // @ts-expect-error tolerance is seconds, a number
    new Webhooks({ tolerance: "5m" });
  });
});

describe("errors", () => {
  test("carry a typed reason", () => {
    const error = new WebhookVerificationError("signature_mismatch", "m");
    expectTypeOf(error.reason).toEqualTypeOf<WebhookVerificationReason>();
    expectTypeOf<
      "missing_header" | "invalid_timestamp" | "timestamp_too_old" | "signature_mismatch" | "invalid_json"
    >().toExtend<WebhookVerificationReason>();
  });
});

describe("handlers and router", () => {
  test("fetchHandler is a function of Request", () => {
    expectTypeOf(webhooks.fetchHandler(() => {})).toEqualTypeOf<(request: Request) => Promise<Response>>();
  });

  test("nodeHandler fits Express and node:http", () => {
    const handler = webhooks.nodeHandler<ExpressRequest, ExpressResponse>((event, req, res) => {
      expectTypeOf(event).toEqualTypeOf<WebhookEvent>();
      expectTypeOf(req).toEqualTypeOf<ExpressRequest>();
      res.status(204).end();
    });
    handler({} as ExpressRequest, {} as ExpressResponse);
    const plain = webhooks.nodeHandler(() => {});
    plain({} as import("node:http").IncomingMessage, {} as import("node:http").ServerResponse);
  });

  test("router handlers receive the narrowed event", () => {
    webhooks
      .router()
      .on("call.answered", (event) => {
        expectTypeOf(event).toEqualTypeOf<CallAnsweredEvent>();
        expectTypeOf(event.data.payload.call_control_id).toEqualTypeOf<string | undefined>();
      })
      .on(["call.answered", "call.hangup"], (event) => {
        expectTypeOf(event).toEqualTypeOf<CallAnsweredEvent | CallHangupEvent>();
      })
      .otherwise((event) => {
        expectTypeOf(event).toEqualTypeOf<WebhookEvent>();
      });
    // @ts-expect-error not an event type
    webhooks.router().on("call.answerd", () => {});
  });
});
