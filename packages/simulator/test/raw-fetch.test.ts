// A client with no SDK at all: global fetch against the HTTP API, checking the JSON shapes a new user would
// code against (the real Telnyx shapes from the spec), headers included. Webhooks go to the foreign receiver.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../src/index.js";
import { type ForeignReceiver, startForeignReceiver } from "./foreign-receiver.js";

const API_KEY = "KEY_raw_fetch_test";

let sim: Simulator;
let receiver: ForeignReceiver;

beforeAll(async () => {
  receiver = await startForeignReceiver(() => sim.publicKey);
  sim = await startSimulator({ apiKey: API_KEY, webhookUrl: receiver.url, answerDelayMs: 5, mediaDurationMs: 5 });
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

interface Raw {
  status: number;
  contentType: string | null;
  json: unknown;
}

async function http(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(sim.url + path, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...headers },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    json: text === "" ? undefined : JSON.parse(text),
  };
}
const post = (path: string, body: unknown) =>
  http("POST", path, JSON.stringify(body), { "content-type": "application/json" });

const errorObject = {
  code: expect.stringMatching(/^\d+$/),
  title: expect.any(String),
  detail: expect.any(String),
};

async function answeredCall(to = "+13125550111"): Promise<string> {
  const res = await post("/calls", { connection_id: "raw", from: "+13125550100", to });
  const id = (res.json as { data: { call_control_id: string } }).data.call_control_id;
  await receiver.waitFor(
    (evs) => evs.some((e) => e.data.payload.call_control_id === id && e.data.event_type === "call.answered"),
    "answer",
  );
  return id;
}

describe("raw fetch: success shapes", () => {
  it("dial answers 200 with exactly the call fields, is_alive false, as JSON", async () => {
    const res = await post("/calls", { connection_id: "raw", from: "+13125550100", to: "+13125550111" });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("application/json");
    expect(res.json).toEqual({
      data: {
        call_control_id: expect.stringMatching(/^v3:/),
        call_leg_id: expect.any(String),
        call_session_id: expect.any(String),
        is_alive: false,
        record_type: "call",
        start_time: expect.any(String),
        call_duration: 0,
      },
    });
  });

  it("answers call actions with { data: { result: 'ok' } }, with a JSON body and with no body at all", async () => {
    const id = await answeredCall();
    expect((await post(`/calls/${id}/actions/speak`, { payload: "Hi", voice: "female" })).json).toEqual({
      data: { result: "ok" },
    });
    // Commands whose fields are all optional: a raw client may send nothing (no body, no content-type).
    const hangup = await http("POST", `/calls/${id}/actions/hangup`);
    expect(hangup).toEqual({ status: 200, contentType: "application/json", json: { data: { result: "ok" } } });
  });

  it("retrieves call status with is_alive true while the call is up", async () => {
    const id = await answeredCall();
    const res = await http("GET", `/calls/${id}`);
    expect(res.json).toEqual({
      data: expect.objectContaining({
        call_control_id: id,
        is_alive: true,
        record_type: "call",
        call_leg_id: expect.any(String),
        call_session_id: expect.any(String),
      }),
    });
  });

  it("creates an application with 201 and lists it with page-number meta", async () => {
    const created = await post("/call_control_applications", {
      application_name: "raw-app",
      webhook_event_url: receiver.url,
    });
    expect(created.status).toBe(201);
    const data = (created.json as { data: Record<string, unknown> }).data;
    expect(data).toMatchObject({
      id: expect.any(String),
      application_name: "raw-app",
      record_type: "call_control_application",
    });
    // What URLSearchParams produces: brackets percent-encoded.
    const query = new URLSearchParams({ "filter[application_name][contains]": "raw-", "page[size]": "1" });
    const list = await http("GET", `/call_control_applications?${query}`);
    expect(query.toString()).toContain("%5B");
    expect(list.json).toEqual({
      data: [expect.objectContaining({ id: data.id })],
      meta: { page_number: 1, page_size: 1, total_pages: 1, total_results: 1 },
    });
  });

  it("pages active calls by following meta.next and meta.previous verbatim", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post("/calls", { connection_id: "raw-page", from: "+13125550100", to: `+1312555030${i}` });
      ids.push((res.json as { data: { call_control_id: string } }).data.call_control_id);
    }
    type Page = {
      data: Array<{ call_control_id: string; record_type: string }>;
      meta: { next?: string; previous?: string; total_items: number; cursors: object };
    };
    const origin = new URL(sim.url).origin;
    const first = (await http("GET", "/connections/raw-page/active_calls?page[limit]=2")).json as Page;
    expect(first.data.map((c) => c.call_control_id)).toEqual(ids.slice(0, 2));
    expect(first.meta).toMatchObject({ total_items: 3, cursors: { after: expect.any(String) } });
    expect(first.meta.next).toMatch(/^\/v2\/connections\/raw-page\/active_calls\?/);
    const next = (await (
      await fetch(origin + first.meta.next, { headers: { authorization: `Bearer ${API_KEY}` } })
    ).json()) as Page;
    expect(next.data.map((c) => c.call_control_id)).toEqual([ids[2]]);
    expect(next.meta.next).toBeUndefined();
    // A page reached by cursor is no numbered window: only pages reached without one carry page_number.
    expect(first.meta).toMatchObject({ page_number: 1, page_size: 2, total_pages: 2 });
    expect(next.meta).not.toHaveProperty("page_number");
    expect(next.meta).not.toHaveProperty("total_pages");
    const back = (await (
      await fetch(origin + next.meta.previous, { headers: { authorization: `Bearer ${API_KEY}` } })
    ).json()) as Page;
    expect(back.data.map((c) => c.call_control_id)).toEqual(ids.slice(0, 2));
  });
});

describe("raw fetch: error shapes", () => {
  it("validation errors: 422, { errors: [{ code, title, detail, source: { pointer } }] }", async () => {
    const res = await post("/calls", { connection_id: "raw", to: "+13125550111" });
    expect(res.status).toBe(422);
    expect(res.contentType).toBe("application/json");
    expect(res.json).toEqual({ errors: [{ ...errorObject, code: "10004", source: { pointer: "/from" } }] });
  });

  it("query parameter errors point with source.parameter", async () => {
    const res = await http("GET", "/connections/raw/active_calls?page[limit]=0");
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ errors: [{ ...errorObject, source: { parameter: "page[limit]" } }] });
  });

  it("unknown call: 404; ended call: 422 / 90018; each a list of Telnyx error objects", async () => {
    const missing = await post("/calls/v3:missing/actions/speak", { payload: "x", voice: "female" });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ errors: [{ ...errorObject, code: "10005" }] });
    const id = await answeredCall();
    await post(`/calls/${id}/actions/hangup`, {});
    const ended = await post(`/calls/${id}/actions/speak`, { payload: "x", voice: "female" });
    expect(ended.status).toBe(422);
    expect(ended.json).toEqual({ errors: [{ ...errorObject, code: "90018" }] });
  });

  it("401 without a key, 400 on malformed JSON, both as Telnyx error objects", async () => {
    const res = await fetch(`${sim.url}/calls/v3:x`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: [expect.objectContaining({ ...errorObject, code: "10009" })] });
    const malformed = await http("POST", "/calls", "{oops", { "content-type": "application/json" });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ errors: [expect.objectContaining(errorObject)] });
  });

  it("every webhook the raw-fetch calls caused verified with both verifiers", async () => {
    await sim.idle();
    expect(receiver.verdicts.length).toBeGreaterThan(10);
    expect(receiver.verdicts.filter((v) => !v.sdk || !v.crypto)).toEqual([]);
  });
});
