// A request whose headers alone fail verification (absent, stale, malformed) is answered before its body is
// read: the body would be refused anyway, so none of it is held, and a body that never ends cannot keep the
// request open until bodyTimeoutMs. The reasons and statuses are those verification gives after the body.
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type WebhookEvent, Webhooks, type WebhooksOptions } from "../src/node.js";
import { callAnsweredBody, nodeKeys, nodeSign, nowSeconds } from "./helpers.js";
import { fetchServer, listen, postEndless } from "./http-helpers.js";

const keys = nodeKeys();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const kinds = [
  { name: "fetchHandler", server: (w: Webhooks, on: (e: WebhookEvent) => unknown) => fetchServer(w.fetchHandler(on)) },
  { name: "nodeHandler", server: (w: Webhooks, on: (e: WebhookEvent) => unknown) => createServer(w.nodeHandler(on)) },
];

async function serve(server: Server): Promise<string> {
  const { url, close } = await listen(server);
  closers.push(close);
  return url;
}

const TOLERANCE = 300;
const signedAt = (timestamp: number) => nodeSign(keys, callAnsweredBody, timestamp);

describe.each(kinds)("$name, before reading the body", (kind) => {
  function url(options: Partial<WebhooksOptions>) {
    const webhooks = new Webhooks({ publicKey: keys.publicKey, onError: vi.fn(), tolerance: TOLERANCE, ...options });
    return serve(kind.server(webhooks, vi.fn()));
  }

  it.each([
    ["no signature headers", {}, "missing_header"],
    ["a stale timestamp", signedAt(nowSeconds() - TOLERANCE - 60), "timestamp_too_old"],
    ["a timestamp in milliseconds", signedAt(Date.now()), "timestamp_too_new"],
    [
      "a timestamp that is not a number",
      { ...signedAt(nowSeconds()), "telnyx-timestamp": "soon" },
      "invalid_timestamp",
    ],
    [
      "a signature of the wrong length",
      { ...signedAt(nowSeconds()), "telnyx-signature-ed25519": "c2hvcnQ=" },
      "invalid_signature_format",
    ],
  ])("answers a body that never ends, sent with %s, 400 at once and closes", async (_label, headers, reason) => {
    // The longest deadline allowed: were the body read first, the answer would come only after 5 minutes.
    const target = await url({ bodyTimeoutMs: 300_000 });
    const reply = await postEndless(target, headers as Record<string, string>, callAnsweredBody.slice(0, 100));
    expect(reply).toMatchObject({ status: 400, body: reason });
    expect(reply.headers.connection).toBe("close");
    await reply.closed;
  });

  it("reads on when a timestamp too new now could be within the tolerance once the body has arrived", async () => {
    // bodyTimeoutMs 300 allows 1 s more: a timestamp 1 s past the tolerance is not refused before the body
    // (the body then times out, so the answer is 408), while one 30 s past it is.
    const target = await url({ bodyTimeoutMs: 300 });
    const nearly = await postEndless(target, signedAt(nowSeconds() + TOLERANCE + 1), "{");
    expect(nearly).toMatchObject({ status: 408, body: "body_timeout" });
    const far = await postEndless(target, signedAt(nowSeconds() + TOLERANCE + 30), "{");
    expect(far).toMatchObject({ status: 400, body: "timestamp_too_new" });
  });
});
