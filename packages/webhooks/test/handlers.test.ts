import { createServer } from "node:http";
import express, { type Request as ExpressRequest, type Response as ExpressResponse, type NextFunction } from "express";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type WebhookEvent, Webhooks, type WebhooksOptions } from "../src/node.js";
import { callAnswered, callAnsweredBody, nodeKeys, nodeSign, type ProviderCase, providers } from "./helpers.js";
import { fetchServer, listen, post, postOutcome } from "./http-helpers.js";

const keys = nodeKeys();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(server: ReturnType<typeof createServer>): Promise<string> {
  const { url, close } = await listen(server);
  closers.push(close);
  return url;
}

function make(options: Partial<WebhooksOptions> = {}) {
  return new Webhooks({ publicKey: keys.publicKey, onError: vi.fn(), ...options });
}

// The handler suite runs once per crypto provider, like the verification suite.
const kindsByProvider = providers.flatMap((provider: ProviderCase) =>
  [
    { name: "fetchHandler", fetch: true },
    { name: "nodeHandler on node:http", fetch: false },
  ].map((kind) => ({ ...kind, provider, label: `${kind.name} with ${provider.name}` })),
);

const bigBody = JSON.stringify(callAnswered({ client_state: "x".repeat(4000) }));

describe.each(kindsByProvider)("$label over HTTP", (c) => {
  beforeEach(() => c.provider.setup?.());
  afterEach(() => vi.unstubAllGlobals());
  const make = (options: Partial<WebhooksOptions> = {}) =>
    new Webhooks({ publicKey: keys.publicKey, onError: vi.fn(), crypto: c.provider.provider, ...options });
  // The two handler kinds behind one interface, so each behaviour is tested on both.
  const kind = {
    url: (w: Webhooks, onEvent: (event: WebhookEvent) => unknown) =>
      serve(c.fetch ? fetchServer(w.fetchHandler(onEvent)) : createServer(w.nodeHandler(onEvent))),
  };

  it("answers 200 and hands the typed event over once", async () => {
    const events: WebhookEvent[] = [];
    const url = await kind.url(make(), (event) => {
      events.push(event);
    });
    const reply = await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(reply.status).toBe(200);
    expect(events).toEqual([callAnswered()]);
  });

  it("reads a chunked body", async () => {
    const events: WebhookEvent[] = [];
    const url = await kind.url(make(), (event) => {
      events.push(event);
    });
    const reply = await post(url, bigBody, nodeSign(keys, bigBody), { chunked: true });
    expect(reply.status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it("answers 400 with the reason and does not call the handler", async () => {
    const onEvent = vi.fn();
    const url = await kind.url(make(), onEvent);
    const wrongKey = await post(url, callAnsweredBody, nodeSign(nodeKeys(), callAnsweredBody));
    expect(wrongKey).toMatchObject({ status: 400, body: "signature_mismatch" });
    const noHeaders = await post(url, callAnsweredBody, {});
    expect(noHeaders).toMatchObject({ status: 400, body: "missing_header" });
    const stale = await post(
      url,
      callAnsweredBody,
      nodeSign(keys, callAnsweredBody, Math.floor(Date.now() / 1000) - 600),
    );
    expect(stale).toMatchObject({ status: 400, body: "timestamp_too_old" });
    const notJson = await post(url, "hello", nodeSign(keys, "hello"));
    expect(notJson).toMatchObject({ status: 400, body: "invalid_json" });
    expect(onEvent).not.toHaveBeenCalled();
  });

  it("answers 413 past maxBodyBytes, with or without a content-length", async () => {
    const onEvent = vi.fn();
    const url = await kind.url(make({ maxBodyBytes: 2048 }), onEvent);
    const declared = await post(url, bigBody, nodeSign(keys, bigBody));
    expect(declared).toMatchObject({ status: 413, body: "body_too_large" });
    const chunked = await post(url, bigBody, nodeSign(keys, bigBody), { chunked: true });
    expect(chunked).toMatchObject({ status: 413, body: "body_too_large" });
    expect(onEvent).not.toHaveBeenCalled();
    const fits = await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(fits.status).toBe(200);
  });

  it("answers 405 to other methods", async () => {
    const url = await kind.url(make(), vi.fn());
    const reply = await post(url, "", {}, { method: "GET" });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe("POST");
  });

  it("answers 500 when the event handler throws, and reports the error", async () => {
    const onError = vi.fn();
    const boom = new Error("database down");
    const url = await kind.url(make({ onError }), () => {
      throw boom;
    });
    const reply = await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(reply).toMatchObject({ status: 500, body: "handler_error" });
    expect(onError).toHaveBeenCalledWith(boom);
  });

  it("dispatches through the router, narrowed by event type", async () => {
    const w = make();
    const seen: string[] = [];
    const router = w
      .router()
      .on("call.answered", (event) => {
        seen.push(`answered ${event.data.payload.call_control_id}`);
      })
      .on("call.hangup", (event) => {
        seen.push(`hangup ${event.data.payload.hangup_cause}`);
      })
      .otherwise((event) => {
        seen.push(`other ${event.data.event_type}`);
      });
    const url = await kind.url(w, router.handle);
    const hangup = JSON.stringify({
      data: {
        record_type: "event",
        event_type: "call.hangup",
        id: "h",
        occurred_at: "t",
        payload: { hangup_cause: "normal_clearing" },
      },
      meta: { attempt: 1, delivered_to: url },
    });
    const unknown = JSON.stringify({
      data: { record_type: "event", event_type: "call.teleported", id: "u", occurred_at: "t", payload: {} },
      meta: { attempt: 1, delivered_to: url },
    });
    for (const body of [callAnsweredBody, hangup, unknown]) {
      expect((await post(url, body, nodeSign(keys, body))).status).toBe(200);
    }
    expect(seen).toEqual([
      "answered v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
      "hangup normal_clearing",
      "other call.teleported",
    ]);
  });
});

describe("fetchHandler specifics", () => {
  it("answers with the Response the handler returns", async () => {
    const w = make();
    const url = await serve(fetchServer(w.fetchHandler(() => new Response("accepted later", { status: 202 }))));
    expect(await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody))).toMatchObject({
      status: 202,
      body: "accepted later",
    });
  });

  it("works as a plain function of Request, without a server", async () => {
    const w = make();
    const handler = w.router().on("call.answered", vi.fn()).fetchHandler();
    const response = await handler(
      new Request("https://example.com/webhooks", {
        method: "POST",
        body: callAnsweredBody,
        headers: nodeSign(keys, callAnsweredBody),
      }),
    );
    expect(response.status).toBe(200);
  });
});

describe("nodeHandler specifics", () => {
  it("keeps the response the handler wrote itself", async () => {
    const w = make();
    const url = await serve(
      createServer(
        w.nodeHandler((_event, _req, res) => {
          res.statusCode = 204;
          res.end();
        }),
      ),
    );
    expect((await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody))).status).toBe(204);
  });
});

describe("nodeHandler in Express", () => {
  function app(setup: (app: express.Express) => void) {
    const a = express();
    setup(a);
    return serve(createServer(a));
  }

  it("takes the Buffer from express.raw", async () => {
    const onEvent = vi.fn();
    const w = make();
    const url = await app((a) =>
      a.post("/webhooks", express.raw({ type: "application/json" }), w.nodeHandler(onEvent)),
    );
    expect((await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody))).status).toBe(200);
    expect(onEvent).toHaveBeenCalledWith(callAnswered(), expect.anything(), expect.anything());
  });

  it("takes the string from express.text", async () => {
    const w = make();
    const url = await app((a) =>
      a.post("/webhooks", express.text({ type: "application/json" }), w.nodeHandler(vi.fn())),
    );
    expect((await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody))).status).toBe(200);
  });

  it("reads the stream itself when no body parser ran", async () => {
    const w = make();
    const url = await app((a) => a.post("/webhooks", w.nodeHandler(vi.fn())));
    expect((await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody))).status).toBe(200);
  });

  it("reads the stream when express.json skipped the request for its content type", async () => {
    const w = make();
    const url = await app((a) => a.post("/webhooks", express.json(), w.nodeHandler(vi.fn())));
    const reply = await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody), { contentType: "text/plain" });
    expect(reply.status).toBe(200);
  });

  it("answers 500 with a fix when express.json consumed the raw body", async () => {
    const onError = vi.fn();
    const w = make({ onError });
    const onEvent = vi.fn();
    const url = await app((a) => a.post("/webhooks", express.json(), w.nodeHandler(onEvent)));
    const reply = await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(reply).toMatchObject({ status: 500, body: "body_already_parsed" });
    expect(onEvent).not.toHaveBeenCalled();
    const reported = onError.mock.calls[0]?.[0] as Error | undefined;
    expect(reported?.message).toContain('app.post("/webhooks", webhooks.nodeHandler(onEvent)) before app.use(express.json())');
  });

  it("passes errors of the event handler to Express's error middleware", async () => {
    const w = make();
    const url = await app((a) => {
      a.post(
        "/webhooks",
        express.raw({ type: "application/json" }),
        w.nodeHandler(() => {
          throw new Error("handler failed");
        }),
      );
      a.use((error: Error, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
        res.status(503).send(`caught: ${error.message}`);
      });
    });
    expect(await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody))).toMatchObject({
      status: 503,
      body: "caught: handler failed",
    });
  });

  it("answers 400 to a tampered body", async () => {
    const w = make();
    const url = await app((a) =>
      a.post("/webhooks", express.raw({ type: "application/json" }), w.nodeHandler(vi.fn())),
    );
    const headers = nodeSign(keys, callAnsweredBody);
    expect(await post(url, callAnsweredBody.replace("+13125550100", "+13125550101"), headers)).toMatchObject({
      status: 400,
      body: "signature_mismatch",
    });
  });
});

describe("fetchHandler when the body cannot be read", () => {
  it("answers 500 body_unreadable instead of throwing, for a consumed body and a failing stream", async () => {
    const errors: unknown[] = [];
    const handle = new Webhooks({ publicKey: keys.publicKey, onError: (e) => errors.push(e) }).fetchHandler(
      () => undefined,
    );
    const consumed = new Request("http://127.0.0.1/webhooks", { method: "POST", body: "{}" });
    await consumed.text();
    const broken = new Request("http://127.0.0.1/webhooks", {
      method: "POST",
      // Signed: a request whose headers fail is answered 400 before its body is read.
      headers: nodeSign(keys, "{}"),
      body: new ReadableStream({
        pull(controller) {
          controller.error(new Error("connection reset"));
        },
      }),
      duplex: "half",
    } as RequestInit);
    for (const request of [consumed, broken]) {
      const res = await handle(request);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe("body_unreadable");
    }
    expect(errors).toHaveLength(2);
  });
});

describe("nodeHandler when the event handler throws after sending headers", () => {
  const boom = new Error("failed half way");

  it.each([
    ["writeHead only", (res: import("node:http").ServerResponse) => res.writeHead(200)],
    [
      "writeHead and part of a body",
      (res: import("node:http").ServerResponse) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
      },
    ],
    [
      "a declared length not yet sent",
      (res: import("node:http").ServerResponse) => {
        res.writeHead(200, { "content-length": "100" });
        res.write("partial");
      },
    ],
  ])("ends the response abnormally (%s) so Telnyx redelivers, and reports the error", async (_label, write) => {
    const onError = vi.fn();
    const w = make({ onError });
    const url = await serve(
      createServer(
        w.nodeHandler(async (_event, _req, res) => {
          write(res as import("node:http").ServerResponse);
          await new Promise((resolve) => setImmediate(resolve));
          throw boom;
        }),
      ),
    );
    const outcome = await postOutcome(url, callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(outcome.ended).toBe("abnormally");
    expect(onError).toHaveBeenCalledWith(boom);
  });

  it("leaves a response the handler already ended as it is, and reports the error", async () => {
    const onError = vi.fn();
    const w = make({ onError });
    const url = await serve(
      createServer(
        w.nodeHandler((_event, _req, res) => {
          res.statusCode = 202;
          res.end();
          throw boom;
        }),
      ),
    );
    const outcome = await postOutcome(url, callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(outcome).toEqual({ ended: "complete", status: 202, body: "" });
    expect(onError).toHaveBeenCalledWith(boom);
  });

  it("in Express, ends the response abnormally even when an error middleware ends it normally", async () => {
    const seen: unknown[] = [];
    const w = make();
    const a = express();
    a.post(
      "/webhooks",
      express.raw({ type: "application/json" }),
      w.nodeHandler((_event, _req, res) => {
        (res as unknown as ExpressResponse).status(200).write("partial");
        throw boom;
      }),
    );
    // A logging middleware that tidies up by ending whatever response is open: that would complete the 200.
    a.use((error: Error, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
      seen.push(error);
      if (!res.writableEnded) res.end();
    });
    const url = await serve(createServer(a));
    const outcome = await postOutcome(url, callAnsweredBody, nodeSign(keys, callAnsweredBody));
    expect(outcome.ended).toBe("abnormally");
    expect(seen).toEqual([boom]);
  });
});
