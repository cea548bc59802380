// The handlers' limits on the request body: a read deadline (408) and a size limit counted in bytes (413).
import { createServer, type Server } from "node:http";
import express from "express";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { utf8Length } from "../src/bytes.js";
import { type WebhookEvent, Webhooks, type WebhooksOptions } from "../src/node.js";
import { callAnswered, callAnsweredBody, nodeKeys, nodeSign } from "./helpers.js";
import { fetchServer, listen, post, postEndless } from "./http-helpers.js";

const keys = nodeKeys();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(server: Server): Promise<string> {
  const { url, close } = await listen(server);
  closers.push(close);
  return url;
}

function make(options: Partial<WebhooksOptions> = {}) {
  return new Webhooks({ publicKey: keys.publicKey, onError: vi.fn(), ...options });
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

const kinds = [
  {
    name: "fetchHandler",
    server: (w: Webhooks, onEvent: (e: WebhookEvent) => unknown) => fetchServer(w.fetchHandler(onEvent)),
  },
  {
    name: "nodeHandler",
    server: (w: Webhooks, onEvent: (e: WebhookEvent) => unknown) => createServer(w.nodeHandler(onEvent)),
  },
];

describe.each(kinds)("$name read deadline", (kind) => {
  it("answers 408 body_timeout to 200 bodies that never end, and lets go of every connection", async () => {
    const onEvent = vi.fn();
    const server = kind.server(make({ bodyTimeoutMs: 300 }), onEvent);
    const url = await serve(server);
    const headers = nodeSign(keys, callAnsweredBody);
    const replies = await Promise.all(
      Array.from({ length: 200 }, () => postEndless(url, headers, callAnsweredBody.slice(0, 100))),
    );
    for (const reply of replies) expect(reply).toMatchObject({ status: 408, body: "body_timeout" });
    await Promise.all(replies.map((reply) => reply.closed));
    expect(await openConnections(server)).toBe(0);
    expect(onEvent).not.toHaveBeenCalled();
  });

  it("reads a body that arrives within the deadline", async () => {
    const onEvent = vi.fn();
    const url = await serve(kind.server(make({ bodyTimeoutMs: 10_000 }), onEvent));
    const reply = await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody), { chunked: true });
    expect(reply.status).toBe(200);
    expect(onEvent).toHaveBeenCalledTimes(1);
  });
});

describe("fetchHandler read deadline without a server", () => {
  it("answers 408 to a Request whose body stream never ends", async () => {
    const handle = make({ bodyTimeoutMs: 50 }).fetchHandler(vi.fn());
    const encoder = new TextEncoder();
    const request = new Request("http://127.0.0.1/webhooks", {
      method: "POST",
      headers: nodeSign(keys, callAnsweredBody),
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(encoder.encode(callAnsweredBody.slice(0, 10))); // then nothing, for ever
        },
      }),
      duplex: "half",
    } as RequestInit);
    const response = await handle(request);
    expect(response.status).toBe(408);
    expect(await response.text()).toBe("body_timeout");
  });
});

describe("maxBodyBytes counts bytes, whatever shape the body has", () => {
  // Non-ASCII text: more UTF-8 bytes than UTF-16 code units.
  const body = JSON.stringify(callAnswered({ from: "Zoë 📞 ".repeat(300) }));
  const bytes = Buffer.byteLength(body);
  const limit = body.length + 100;

  it("the fixture has fewer UTF-16 units than the limit and more bytes", () => {
    expect(body.length).toBeLessThan(limit);
    expect(bytes).toBeGreaterThan(limit);
  });

  it("answers 413 to a string body from express.text that is over the limit in bytes", async () => {
    const onEvent = vi.fn();
    const w = make({ maxBodyBytes: limit });
    const app = express();
    app.post("/webhooks", express.text({ type: "application/json" }), w.nodeHandler(onEvent));
    const url = await serve(createServer(app));
    expect(await post(url, body, nodeSign(keys, body))).toMatchObject({ status: 413, body: "body_too_large" });
    expect(onEvent).not.toHaveBeenCalled();
  });

  it("accepts that string body at exactly its byte length", async () => {
    const onEvent = vi.fn();
    const w = make({ maxBodyBytes: bytes });
    const app = express();
    app.post("/webhooks", express.text({ type: "application/json" }), w.nodeHandler(onEvent));
    const url = await serve(createServer(app));
    expect((await post(url, body, nodeSign(keys, body))).status).toBe(200);
    expect(onEvent).toHaveBeenCalledTimes(1);
  });

  it("counts strings as TextEncoder encodes them, lone surrogates included", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        (a, b) => {
          for (const text of [a, b, a + b]) expect(utf8Length(text)).toBe(encoder.encode(text).length);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
