// The simulator as a new user meets it: a client that is not ours (the official `telnyx` npm SDK, pointed at
// sim.url) and a receiver that is not ours (node:http + the SDK's TelnyxWebhook + raw node:crypto).
import { generateKeyPairSync, sign } from "node:crypto";
import { request } from "node:http";
import Telnyx, { AuthenticationError, NotFoundError, UnprocessableEntityError } from "telnyx";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { responseValidator, type Simulator, startSimulator } from "../src/index.js";
import { type ForeignReceiver, startForeignReceiver } from "./foreign-receiver.js";

const API_KEY = "KEY_official_sdk_test";

let sim: Simulator;
let receiver: ForeignReceiver;
let client: Telnyx;

beforeEach(async () => {
  receiver = await startForeignReceiver(() => sim.publicKey);
  sim = await startSimulator({ apiKey: API_KEY, answerDelayMs: 5, mediaDurationMs: 5 });
  // maxRetries 0: a simulator incompatibility must show up as an error, not be papered over by retries.
  client = new Telnyx({ apiKey: API_KEY, baseURL: sim.url, maxRetries: 0 });
});
afterEach(async () => {
  await sim.stop();
  await receiver.close();
});

const isEvent = (id: string, type: string) => (events: ForeignReceiver["events"]) =>
  events.some((e) => e.data.payload.call_control_id === id && e.data.event_type === type);

async function application(name: string) {
  const created = await client.callControlApplications.create({
    application_name: name,
    webhook_event_url: receiver.url,
  });
  const id = created.data?.id;
  if (!id) throw new Error(`create returned no id: ${JSON.stringify(created)}`);
  return id;
}

/**
 * Collects what a `for await` walk yields, stopping past `bound` items: a page-number iterator that never
 * learns it is on the last page asks for the same page for ever, and must fail here rather than hang.
 */
async function walk<T>(items: AsyncIterable<T>, bound: number): Promise<T[]> {
  const seen: T[] = [];
  for await (const item of items) {
    seen.push(item);
    if (seen.length > bound) break;
  }
  return seen;
}

/** Checks a page as the SDK holds it against the spec's response schema for its list. */
function expectValidPage(template: string, page: { data: unknown; meta: unknown }) {
  const validate = responseValidator("GET", template, 200);
  expect(validate({ data: page.data, meta: page.meta }), JSON.stringify(validate.errors)).toBe(true);
}

describe("official telnyx SDK against the simulator", () => {
  it("creates a call control application and finds it with list and a name filter", async () => {
    const id = await application("sdk-ivr");
    await application("other");
    const page = await client.callControlApplications.list({ filter: { application_name: { contains: "sdk" } } });
    expect(page.data.map((a) => a.id)).toEqual([id]);
    expect(page.data[0]).toMatchObject({
      application_name: "sdk-ivr",
      webhook_event_url: receiver.url,
      record_type: "call_control_application",
    });
  });

  it("walks applications page by page with the SDK's page-number iterator: each once, and the walk ends", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await application(`walk-${i}`));
    const seen = await walk(client.callControlApplications.list({ "page[size]": 2 }), 2 * ids.length);
    expect(seen.map((app) => app.id)).toEqual(ids);

    // Three pages of the spec's PaginationMeta, the last saying it is the last.
    const pages = await walk((await client.callControlApplications.list({ "page[size]": 2 })).iterPages(), 5);
    expect(pages.map((p) => p.meta)).toEqual([1, 2, 3].map((n) => expect.objectContaining({ page_number: n })));
    for (const p of pages) {
      expect(p.meta).toMatchObject({ page_size: 2, total_pages: 3, total_results: 5 });
      expectValidPage("/call_control_applications", p);
    }
  });

  it("runs dial -> answered -> speak -> hangup, every webhook verified by TelnyxWebhook and node:crypto", async () => {
    const connectionId = await application("flow");
    const dialed = await client.calls.dial({ connection_id: connectionId, from: "+13125550100", to: "+13125550111" });
    expect(dialed.data).toMatchObject({ is_alive: false, record_type: "call" });
    const id = dialed.data?.call_control_id ?? "";
    expect(id).not.toBe("");
    expect(dialed.data?.call_leg_id).toBeTruthy();
    expect(dialed.data?.call_session_id).toBeTruthy();
    await receiver.waitFor(isEvent(id, "call.answered"), "call.answered");

    const status = await client.calls.retrieveStatus(id);
    expect(status.data).toMatchObject({ call_control_id: id, is_alive: true, record_type: "call" });

    const spoke = await client.calls.actions.speak(id, { payload: "Hello from the official SDK", voice: "female" });
    expect(spoke.data?.result).toBe("ok");
    await receiver.waitFor(isEvent(id, "call.speak.ended"), "call.speak.ended");
    const hung = await client.calls.actions.hangup(id, {});
    expect(hung.data?.result).toBe("ok");
    await receiver.waitFor(isEvent(id, "call.hangup"), "call.hangup");
    await sim.idle();

    expect(receiver.typesOf(id)).toEqual([
      "call.initiated",
      "call.answered",
      "call.speak.started",
      "call.speak.ended",
      "call.hangup",
    ]);
    expect(receiver.verdicts).toHaveLength(5);
    expect(receiver.verdicts.every((v) => v.sdk && v.crypto)).toBe(true);
    const hangup = receiver.events.at(-1);
    expect(hangup?.data.payload).toMatchObject({
      call_control_id: id,
      connection_id: connectionId,
      hangup_cause: "normal_clearing",
    });
  });

  it("answers an inbound call with calls.actions.answer and hears call.answered", async () => {
    const connectionId = await application("inbound");
    const call = sim.inboundCall({ from: "+13125550142", to: "+13125550100", connectionId });
    await receiver.waitFor(isEvent(call.callControlId, "call.initiated"), "inbound call.initiated");
    expect(receiver.events[0]?.data.payload).toMatchObject({ direction: "incoming", state: "parked" });
    const answered = await client.calls.actions.answer(call.callControlId, {});
    expect(answered.data?.result).toBe("ok");
    await receiver.waitFor(isEvent(call.callControlId, "call.answered"), "call.answered");
    expect(receiver.verdicts.every((v) => v.sdk && v.crypto)).toBe(true);
  });

  it("lists a connection's active calls (first page, and page[number]/page[size] the SDK iterates by)", async () => {
    const connectionId = await application("active");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await client.calls.dial({ connection_id: connectionId, from: "+13125550100", to: `+1312555020${i}` });
      ids.push(res.data?.call_control_id ?? "");
    }
    const first = await client.connections.listActiveCalls(connectionId);
    expect(first.data.map((c) => c.call_control_id)).toEqual(ids);
    expect(first.data[0]).toMatchObject({
      call_leg_id: expect.any(String),
      call_session_id: expect.any(String),
      record_type: "call",
    });

    // The SDK types this list as page-number paginated (page[number]/page[size], which the spec's page
    // parameter also declares), so explicit page numbers work as well as the iterator (next test).
    const second = await client.connections.listActiveCalls(connectionId, { "page[number]": 2, "page[size]": 2 });
    expect(second.data.map((c) => c.call_control_id)).toEqual([ids[2]]);
    const beyond = await client.connections.listActiveCalls(connectionId, { "page[number]": 3, "page[size]": 2 });
    expect(beyond.data).toEqual([]);
    expect(beyond.hasNextPage()).toBe(false);
  });

  it("auto-pages over active calls with for await: every call once, in order, and the walk ends", async () => {
    const connectionId = await application("active-walk");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await client.calls.dial({ connection_id: connectionId, from: "+13125550100", to: `+1312555030${i}` });
      ids.push(res.data?.call_control_id ?? "");
    }
    const seen = await walk(client.connections.listActiveCalls(connectionId, { "page[size]": 2 }), 2 * ids.length);
    expect(seen.map((c) => c.call_control_id)).toEqual(ids);

    // Each page carries the spec's cursor meta and the page numbers the SDK stops by, and is valid against the
    // spec's response schema.
    const first = await client.connections.listActiveCalls(connectionId, { "page[size]": 2 });
    const pages = await walk(first.iterPages(), 5);
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
    pages.forEach((p, i) => {
      expect(p.meta).toMatchObject({ page_number: i + 1, page_size: 2, total_pages: 3, total_items: 5 });
      expect(p.meta).toHaveProperty("cursors");
      expectValidPage("/connections/{connection_id}/active_calls", p);
    });
    expect(pages.at(-1)?.hasNextPage()).toBe(false);
  });

  it("surfaces the simulator's errors as the SDK's typed errors with Telnyx error bodies", async () => {
    const missing = await client.calls.actions.hangup("v3:nope", {}).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).error).toMatchObject({
      errors: [{ code: "10005", title: "Resource not found" }],
    });

    const invalid = await client.calls
      .dial({ connection_id: "no-such-app", from: "+13125550100", to: "12345" })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(UnprocessableEntityError);
    expect((invalid as UnprocessableEntityError).error).toMatchObject({
      errors: [{ code: "10015", title: "Invalid parameter", source: { pointer: "/to" } }],
    });

    const stranger = new Telnyx({ apiKey: "KEY_wrong", baseURL: sim.url, maxRetries: 0 });
    const denied = await stranger.calls.retrieveStatus("v3:any").catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AuthenticationError);
    expect(JSON.stringify((denied as AuthenticationError).error)).not.toContain("KEY_");
  });
});

describe("the foreign receiver can say no", () => {
  // Its own key pair, so the test can sign a body, then deliver it intact and tampered with.
  const keys = generateKeyPairSync("ed25519");
  const publicKey = Buffer.from(keys.publicKey.export({ format: "jwk" }).x ?? "", "base64url").toString("base64");
  const post = (url: string, body: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(body);
    });

  it("accepts a genuine signature and rejects the same signature over a tampered body, by both verifiers", async () => {
    const own = await startForeignReceiver(() => publicKey);
    try {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const body = JSON.stringify({
        data: { event_type: "call.hangup", id: "e1", payload: { call_control_id: "v3:a" } },
        meta: { attempt: 1 },
      });
      const signature = sign(null, Buffer.from(`${timestamp}|${body}`), keys.privateKey).toString("base64");
      const headers = { "telnyx-timestamp": timestamp, "telnyx-signature-ed25519": signature };
      expect(await post(own.url, body, headers)).toBe(200);
      expect(await post(own.url, body.replace("v3:a", "v3:b"), headers)).toBe(400);
      expect(own.verdicts[0]).toEqual({ sdk: true, crypto: true });
      expect(own.verdicts[1]).toMatchObject({ sdk: false, crypto: false });
      expect(own.verdicts[1]?.sdkError).toContain("signature does not match");
      expect(own.events.map((e) => e.data.id)).toEqual(["e1"]);
    } finally {
      await own.close();
    }
  });
});
