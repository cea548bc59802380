// The HTTP contract: auth, routing, schema validation errors with pointers, ended calls, command_id.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, dialAnswered, type Receiver, startReceiver } from "./helpers.js";

type Errors = {
  errors: Array<{ code: string; title: string; detail?: string; source?: { pointer?: string; parameter?: string } }>;
};

let sim: Simulator;
let receiver: Receiver;
let call: Api;
const logged: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({
    webhookUrl: receiver.url,
    answerDelayMs: 5,
    mediaDurationMs: 5,
    apiKey: "KEY_test_secret_123",
    logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
  });
  call = api(sim, "KEY_test_secret_123");
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

describe("authentication", () => {
  it("rejects a missing key with 401 in the Telnyx error shape", async () => {
    const res = await fetch(`${sim.url}/calls/abc`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as Errors;
    expect(body.errors[0]).toMatchObject({ code: "10009", title: "Authentication failed" });
  });

  it("rejects a wrong key, and never echoes the key back", async () => {
    const res = await api(sim, "KEY_wrong")("GET", "/calls/abc");
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain("KEY_");
  });
});

describe("hostile input", () => {
  it("a __proto__ query key reaches no prototype, and later requests still work", async () => {
    const res = await call(
      "GET",
      "/call_control_applications?__proto__[polluted]=yes&constructor[prototype][polluted]=yes",
    );
    expect(res.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await call("GET", "/call_control_applications")).status).toBe(200);
  });

  it("a malformed percent-escape in a path id is a 404, not a 500", async () => {
    const res = await call<Errors>("POST", "/calls/%E0%A4%A/actions/hangup", {});
    expect(res.status).toBe(404);
  });

  it("a malformed percent-escape on the far-end routes is a 404 too", async () => {
    const farEnd = api(sim, "KEY_test_secret_123", "far end");
    const res = await farEnd<Errors>("POST", "/calls/%E0%A4%A/hangup", {});
    expect(res.status).toBe(404);
    expect(res.body.errors[0]?.code).toBe("10005");
  });

  it("a client that aborts mid-body is no internal error, and the simulator keeps serving", async () => {
    const { port } = new URL(sim.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          "POST /v2/calls HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer KEY_test_secret_123\r\n" +
            'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"connection_id":',
        );
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    expect((await call("GET", "/call_control_applications")).status).toBe(200);
    expect(logged.filter((m) => m.includes("internal error"))).toEqual([]);
  });
});

describe("routing", () => {
  it("answers an unknown route with 404 in the Telnyx error shape", async () => {
    const res = await call<Errors>("GET", "/nothing/here");
    expect(res.status).toBe(404);
    expect(res.body.errors[0]?.code).toBe("10005");
  });

  it("answers an unknown call_control_id with 404", async () => {
    const res = await call<Errors>("POST", "/calls/v3:unknown/actions/hangup", {});
    expect(res.status).toBe(404);
    expect(res.body.errors[0]?.detail).toContain("v3:unknown");
  });

  it("answers a known path with the wrong method with 405", async () => {
    const res = await call("DELETE", "/calls");
    expect(res.status).toBe(405);
  });
});

describe("validation against the slice's schemas", () => {
  it("points at a missing required body field", async () => {
    const res = await call<Errors>("POST", "/calls", { connection_id: "c", to: "+12025550111" });
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ code: "10004", source: { pointer: "/from" } }));
  });

  it("points at a field of the wrong type and says what was expected", async () => {
    const res = await call<Errors>("POST", "/calls", { connection_id: "c", from: "+12025550100", to: 42 });
    expect(res.status).toBe(422);
    const error = res.body.errors.find((e) => e.source?.pointer === "/to");
    expect(error?.detail).toBe("'to' must be a string or an array.");
  });

  it("points at a bad enum value", async () => {
    const id = await dialAnswered(call, receiver, { webhook_url: receiver.url });
    const res = await call<Errors>("POST", `/calls/${id}/actions/record_start`, { format: "ogg", channels: "single" });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ code: "10032", source: { pointer: "/format" } });
    expect(res.body.errors[0]?.detail).toContain('"wav"');
  });

  it("points into nested objects", async () => {
    const res = await call<Errors>("POST", "/call_control_applications", {
      application_name: "x",
      webhook_event_url: "https://example.com",
      inbound: { channel_limit: "ten" },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.source?.pointer).toBe("/inbound/channel_limit");
  });

  it("names a bad query parameter in source.parameter", async () => {
    const res = await call<Errors>("GET", "/call_control_applications?page[size]=999");
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ code: "10033", source: { parameter: "page[size]" } });
  });

  it("coerces valid query parameters", async () => {
    const res = await call<{ meta: { page_size: number } }>("GET", "/call_control_applications?page[size]=3");
    expect(res.status).toBe(200);
    expect(res.body.meta.page_size).toBe(3);
  });

  it("rejects a phone number that is not E.164", async () => {
    const res = await call<Errors>("POST", "/calls", { connection_id: "c", from: "+12025550100", to: "555-0111" });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.source?.pointer).toBe("/to");
  });

  it("rejects malformed JSON with 400", async () => {
    const res = await fetch(`${sim.url}/calls`, {
      method: "POST",
      headers: { authorization: "Bearer KEY_test_secret_123", "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
  });

  it("rejects client_state that is not base64", async () => {
    const id = await dialAnswered(call, receiver);
    const res = await call<Errors>("POST", `/calls/${id}/actions/speak`, {
      payload: "hi",
      voice: "female",
      client_state: "not base64!",
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.source?.pointer).toBe("/client_state");
  });
});

describe("commands and call state", () => {
  it("refuses commands on an ended call with 422 / 90018", async () => {
    const id = await dialAnswered(call, receiver);
    expect((await call("POST", `/calls/${id}/actions/hangup`, {})).status).toBe(200);
    const res = await call<Errors>("POST", `/calls/${id}/actions/speak`, { payload: "hi", voice: "female" });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ code: "90018", title: "Call has already ended" });
    const status = await call<{ data: { is_alive: boolean; end_time?: string } }>("GET", `/calls/${id}`);
    expect(status.body.data.is_alive).toBe(false);
    expect(status.body.data.end_time).toBeDefined();
  });

  it("refuses media commands before the call is answered (90034)", async () => {
    const inbound = sim.inboundCall({
      from: "+12025550142",
      to: "+12025550100",
      connectionId: "c-in",
      webhookUrl: receiver.url,
    });
    const res = await call<Errors>("POST", `/calls/${inbound.callControlId}/actions/speak`, {
      payload: "hi",
      voice: "female",
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.code).toBe("90034");
  });

  it("accepts a repeated command_id on the same call without executing it twice", async () => {
    const id = await dialAnswered(call, receiver);
    const body = { payload: "once", voice: "female", command_id: "cmd-1" };
    const first = await call("POST", `/calls/${id}/actions/speak`, body);
    const second = await call("POST", `/calls/${id}/actions/speak`, body);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    await sim.idle();
    expect(sim.calls.get(id)?.eventTypes.filter((t) => t === "call.speak.started")).toHaveLength(1);
    // A different command_id runs again.
    await call("POST", `/calls/${id}/actions/speak`, { ...body, command_id: "cmd-2" });
    expect(sim.calls.get(id)?.eventTypes.filter((t) => t === "call.speak.started")).toHaveLength(2);
  });

  it("does not place a second call for a repeated dial command_id", async () => {
    const body = { connection_id: "c-dedupe", from: "+12025550100", to: "+12025550111", command_id: "dial-1" };
    const first = await call<{ data: { call_control_id: string } }>("POST", "/calls", body);
    const second = await call<{ data: { call_control_id: string } }>("POST", "/calls", body);
    expect(second.body.data.call_control_id).toBe(first.body.data.call_control_id);
    expect(sim.calls.list().filter((c) => c.connectionId === "c-dedupe")).toHaveLength(1);
  });
});

describe("checks the spec states in prose", () => {
  it("refuses an empty `to` list, a client_state that is not base64, and a transfer to a non-number", async () => {
    const empty = await call<Errors>("POST", "/calls", { connection_id: "c", from: "+13125550001", to: [] });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0]?.source?.pointer).toBe("/to");
    const state = await call<Errors>("POST", "/calls", {
      connection_id: "c",
      from: "+13125550001",
      to: "+13125550002",
      client_state: "not base64!",
      webhook_url: receiver.url,
    });
    expect(state.status).toBe(422);
    expect(state.body.errors[0]?.source?.pointer).toBe("/client_state");
    const id = await dialAnswered(call, receiver);
    const transfer = await call<Errors>("POST", `/calls/${id}/actions/transfer`, { to: "abc" });
    expect(transfer.status).toBe(422);
    expect(transfer.body.errors[0]?.source?.pointer).toBe("/to");
    const dtmf = await call("POST", `/calls/${id}/actions/transfer`, { to: "+18004247767,200" });
    expect(dtmf.status).toBe(200);
  });
});
