// A webhook refused by verification is never invisible: `onRejected` sees each refusal (the error with its
// reason, the status, the event id when the body was read), and without it one warning a minute says what is
// being refused and how often. Over real HTTP, node and fetch handlers alike.
import { createServer } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type WebhookRejection, WebhookVerificationError, Webhooks } from "../src/node.js";
import { callAnsweredBody, nodeKeys, nodeSign } from "./helpers.js";
import { fetchServer, listen, post } from "./http-helpers.js";

const keys = nodeKeys();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  vi.restoreAllMocks();
});

async function serve(webhooks: Webhooks, kind: "node" | "fetch"): Promise<string> {
  const server =
    kind === "node" ? createServer(webhooks.nodeHandler(() => {})) : fetchServer(webhooks.fetchHandler(() => {}));
  const { url, close } = await listen(server);
  closers.push(close);
  return url;
}

const eventId = (JSON.parse(callAnsweredBody) as { data: { id: string } }).data.id;

describe.each(["node", "fetch"] as const)("the %s handler", (kind) => {
  it("calls onRejected with each refusal: the reason, the status, the event id when readable", async () => {
    const seen: Array<[WebhookVerificationError, WebhookRejection]> = [];
    const url = await serve(new Webhooks({ publicKey: keys.publicKey, onRejected: (e, r) => seen.push([e, r]) }), kind);
    const wrongKey = nodeSign(nodeKeys(), callAnsweredBody);
    expect((await post(url, callAnsweredBody, wrongKey)).status).toBe(400);
    const stale = nodeSign(keys, callAnsweredBody, Math.floor(Date.now() / 1000) - 3600);
    expect((await post(url, callAnsweredBody, stale)).status).toBe(400);
    expect((await post(url, callAnsweredBody, {})).status).toBe(400);
    expect((await post(url, callAnsweredBody, nodeSign(keys, callAnsweredBody))).status).toBe(200);
    expect(seen.map(([e, r]) => [e.reason, r.status])).toEqual([
      ["signature_mismatch", 400],
      ["timestamp_too_old", 400],
      ["missing_header", 400],
    ]);
    // The body was read for the signature check, not for the others (refused on their headers alone).
    expect(seen.map(([, r]) => r.eventId)).toEqual([eventId, undefined, undefined]);
    for (const [error] of seen) expect(error).toBeInstanceOf(WebhookVerificationError);
  });

  it("without onRejected, warns once a minute with the count by reason, never silently", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const url = await serve(new Webhooks({ publicKey: keys.publicKey }), kind);
    const wrongKey = nodeSign(nodeKeys(), callAnsweredBody);
    for (let i = 0; i < 5; i++) expect((await post(url, callAnsweredBody, wrongKey)).status).toBe(400);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/refused a webhook with 400 \(signature_mismatch, event .+\).*onRejected/);
  });

  it("an onRejected that throws is reported to onError; the answer stays 400", async () => {
    const onError = vi.fn();
    const webhooks = new Webhooks({
      publicKey: keys.publicKey,
      onError,
      onRejected: () => {
        throw new Error("logger down");
      },
    });
    const url = await serve(webhooks, kind);
    expect((await post(url, callAnsweredBody, {})).status).toBe(400);
    expect(String(onError.mock.calls[0]?.[0])).toContain("logger down");
  });
});

it("refuses an onRejected that is not a function", () => {
  expect(() => new Webhooks({ publicKey: keys.publicKey, onRejected: 42 as never })).toThrow(/onRejected.*must be a function/);
});
