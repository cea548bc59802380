// Type-level tests: `vitest run --typecheck` fails when one of these stops compiling.
import type { IncomingHttpHeaders } from "node:http";
import type { CallAnsweredEvent, CallHangupEvent } from "@telnyx-voice/types";
import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { describe, expectTypeOf, test } from "vitest";
import {
  type CallKeyField,
  isEventType,
  memoryStore,
  type NodeResponseLike,
  type RouteInfo,
  type RouterOptions,
  type TelnyxWebhookEvent,
  type UnknownWebhookEvent,
  type WebhookBusyError,
  type WebhookBusyReason,
  type WebhookEvent,
  type WebhookEventOf,
  type WebhookEventType,
  type WebhookMeta,
  type WebhookStore,
  Webhooks,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from "../src/index.js";
import type { WebhooksOptions } from "../src/options.js";
import { createSigner, type SignatureHeaders, signPayload, type WebhookSigner } from "../src/testing.js";

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
    new Webhooks({ publicKey: "k", tolerance: 60, maxBodyBytes: 1024, bodyTimeoutMs: 2000 });
    // @ts-expect-error tolerance is seconds, a number
    new Webhooks({ tolerance: "5m" });
  });
});

// This package's tsconfig sets exactOptionalPropertyTypes, as many users' do; these prove options that fall
// back when absent also take an explicit `undefined` (an unset environment variable, a spread of defaults).
describe("under exactOptionalPropertyTypes", () => {
  test("the flag is on for these tests", () => {
    const strict: { a?: string } = {};
    // @ts-expect-error only an error under exactOptionalPropertyTypes
    const withUndefined: { a?: string } = { a: undefined };
    expectTypeOf(strict).toEqualTypeOf(withUndefined);
  });

  test("the README's new Webhooks({ publicKey: process.env.TELNYX_PUBLIC_KEY }) compiles", () => {
    new Webhooks({ publicKey: process.env.TELNYX_PUBLIC_KEY });
  });

  test("every option of Webhooks takes undefined", () => {
    const all: Required<{ [K in keyof WebhooksOptions]: undefined }> = {
      publicKey: undefined,
      tolerance: undefined,
      maxBodyBytes: undefined,
      bodyTimeoutMs: undefined,
      onError: undefined,
      onRejected: undefined,
      crypto: undefined,
    };
    new Webhooks(all);
    expectTypeOf<keyof typeof all>().toEqualTypeOf<keyof WebhooksOptions>();
  });

  test("the testing helpers' optional arguments take undefined", async () => {
    const headers = await signPayload(body, "key", undefined);
    expectTypeOf(headers).toEqualTypeOf<SignatureHeaders>();
    const signer = createSigner("key");
    await signer.sign(body, undefined);
    signer.signSync?.(body, undefined);
  });

  test("node:http and Express request/response objects still fit the handler types", () => {
    const res = {} as import("node:http").ServerResponse;
    expectTypeOf(res).toExtend<NodeResponseLike>();
    expectTypeOf<ExpressResponse>().toExtend<NodeResponseLike>();
  });
});

describe("the shared signer", () => {
  test("signs asynchronously everywhere, and synchronously only where the build can", () => {
    const signer = createSigner("key");
    expectTypeOf(signer).toEqualTypeOf<WebhookSigner>();
    expectTypeOf(signer.sign(body)).toEqualTypeOf<Promise<SignatureHeaders>>();
    expectTypeOf(signer.signSync).toEqualTypeOf<
      ((body: string | Uint8Array, timestamp?: number | undefined) => SignatureHeaders) | undefined
    >();
    expectTypeOf(signer.implementation).toEqualTypeOf<string>();
    // @ts-expect-error signSync may be absent (outside Node): check before calling
    signer.signSync(body);
  });
});

describe("isEventType narrows whole events", () => {
  test("onHangup(event) compiles after the guard, not after comparing event.data.event_type", async () => {
    const onHangup = (_event: CallHangupEvent) => {};
    const event = await webhooks.unwrap(body, {});
    if (event.data.event_type === "call.hangup") {
      // @ts-expect-error comparing event.data.event_type narrows event.data, not event
      onHangup(event);
    }
    if (isEventType(event, "call.hangup")) {
      expectTypeOf(event).toEqualTypeOf<CallHangupEvent>();
      onHangup(event);
    } else {
      expectTypeOf(event).toEqualTypeOf<Exclude<WebhookEvent, CallHangupEvent>>();
    }
  });

  test("takes a list of types, and refuses names that are not event types", async () => {
    const event = await webhooks.unwrap(body, {});
    if (isEventType(event, ["call.answered", "call.hangup"])) {
      expectTypeOf(event).toEqualTypeOf<CallAnsweredEvent | CallHangupEvent>();
      expectTypeOf(event).toEqualTypeOf<WebhookEventOf<"call.answered" | "call.hangup">>();
    }
    // @ts-expect-error not an event type
    isEventType(event, "call.answerd");
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

  test("router handlers get the route info; options take a store, explicit undefined, a field or a function", () => {
    const env: Record<string, string | undefined> = {};
    const store: WebhookStore = memoryStore({ maxEntries: undefined });
    webhooks
      .router({
        store,
        reorderWindowMs: env.W ? Number(env.W) : undefined,
        callKey: "call_session_id",
        leaseMs: undefined,
        doneTtlMs: undefined,
        maxWaitMs: undefined,
      })
      .on("call.hangup", (event, info) => {
        expectTypeOf(info).toEqualTypeOf<RouteInfo>();
        expectTypeOf(info.late).toEqualTypeOf<boolean>();
        expectTypeOf(info.callKey).toEqualTypeOf<string | undefined>();
        expectTypeOf(event).toEqualTypeOf<CallHangupEvent>();
      });
    webhooks.router({ callKey: (event) => (event.data.event_type === "call.hangup" ? undefined : event.data.id) });
    // @ts-expect-error not a payload field that names a call
    webhooks.router({ callKey: "connection_id" });
    // @ts-expect-error a store must implement the whole interface
    webhooks.router({ store: { claimEvent: async () => "claimed" as const } });
    expectTypeOf<RouterOptions["callKey"]>().toExtend<
      CallKeyField | ((event: WebhookEvent) => string | undefined) | undefined
    >();
    expectTypeOf<WebhookBusyError["reason"]>().toEqualTypeOf<WebhookBusyReason>();
  });
});
