// End-to-end call flows over loopback: the API over HTTP, webhooks to a receiver that verifies every
// signature with node:crypto, and every delivered event validated against its webhook schema in the spec.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventValidator, type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, type DialData, dialAnswered, type Receiver, startReceiver } from "./helpers.js";

let sim: Simulator;
let receiver: Receiver;
let call: Api;

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 5, mediaDurationMs: 5, maxGatherWaitMs: 100 });
  call = api(sim);
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

// After each flow: everything delivered was signed correctly and is valid against the spec.
afterEach(async () => {
  await sim.idle();
  expect(receiver.rejected).toBe(0);
  for (const event of receiver.events) {
    const validate = eventValidator(event.data.event_type);
    expect(validate(event), `${event.data.event_type}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }
});

const waitEvent = (id: string, type: string, count = 1) =>
  receiver.waitFor(
    (evs) => evs.filter((e) => e.data.payload.call_control_id === id && e.data.event_type === type).length >= count,
    `${type} x${count} on ${id}`,
  );

const payloadOf = (id: string, type: string) =>
  receiver.events.find((e) => e.data.payload.call_control_id === id && e.data.event_type === type)?.data.payload;

const act = (id: string, action: string, body: Record<string, unknown> = {}) =>
  call("POST", `/calls/${encodeURIComponent(id)}/actions/${action}`, body);

describe("outbound calls", () => {
  it("dial -> initiated -> answered -> speak -> hangup, in order, with client_state echoed", async () => {
    const id = await dialAnswered(call, receiver, { client_state: "b3V0Ym91bmQ=" });
    expect(payloadOf(id, "call.initiated")).toMatchObject({
      direction: "outgoing",
      state: "bridging",
      client_state: "b3V0Ym91bmQ=",
    });
    expect((await act(id, "speak", { payload: "Hello", voice: "female" })).status).toBe(200);
    await waitEvent(id, "call.speak.ended");
    expect((await act(id, "hangup")).status).toBe(200);
    await waitEvent(id, "call.hangup");
    expect(receiver.ofCall(id)).toEqual([
      "call.initiated",
      "call.answered",
      "call.speak.started",
      "call.speak.ended",
      "call.hangup",
    ]);
    expect(payloadOf(id, "call.hangup")).toMatchObject({
      hangup_cause: "normal_clearing",
      client_state: "b3V0Ym91bmQ=",
    });
    expect(payloadOf(id, "call.speak.ended")).toMatchObject({ status: "completed" });
  });

  it.each([
    ["+12025550486", "user_busy"],
    ["+12025550408", "timeout"],
    ["+12025550404", "not_found"],
  ])("a number ending like %s is not answered: hangup_cause %s", async (to, cause) => {
    const res = await call<DialData>("POST", "/calls", { connection_id: "c", from: "+12025550100", to });
    const id = res.body.data.call_control_id;
    await waitEvent(id, "call.hangup");
    expect(receiver.ofCall(id)).toEqual(["call.initiated", "call.hangup"]);
    expect(payloadOf(id, "call.hangup")).toMatchObject({ hangup_cause: cause, hangup_source: "callee" });
  });

  it("sends a call's webhooks to the dial's webhook_url over the default", async () => {
    const other = await startReceiver(() => sim.publicKey);
    try {
      const id = await dialAnswered(call, other, { webhook_url: other.url });
      expect(other.ofCall(id)).toEqual(["call.initiated", "call.answered"]);
      expect(receiver.ofCall(id)).toEqual([]);
      expect(other.events[0]?.meta).toEqual({ attempt: 1, delivered_to: other.url });
    } finally {
      await act(sim.calls.list().at(-1)!.callControlId, "hangup");
      await sim.idle();
      await other.close();
    }
  });
});

describe("inbound calls", () => {
  it("inboundCall sends call.initiated (incoming, parked); the app answers, gathers digits, hangs up", async () => {
    const inbound = sim.inboundCall({
      from: "+12025550142",
      to: "+12025550100",
      connectionId: "c-in",
      digits: "1234#",
    });
    const id = inbound.callControlId;
    await waitEvent(id, "call.initiated");
    expect(payloadOf(id, "call.initiated")).toMatchObject({
      direction: "incoming",
      state: "parked",
      from: "+12025550142",
    });
    expect((await act(id, "answer")).status).toBe(200);
    await waitEvent(id, "call.answered");
    await act(id, "gather_using_speak", { payload: "Enter your PIN", voice: "female", maximum_digits: 6 });
    await waitEvent(id, "call.gather.ended");
    expect(payloadOf(id, "call.gather.ended")).toMatchObject({ digits: "1234", status: "valid" });
    expect(receiver.ofCall(id).filter((t) => t === "call.dtmf.received")).toHaveLength(5);
    await act(id, "hangup");
    await waitEvent(id, "call.hangup");
  });

  it("digits pressed by the test during a gather end it", async () => {
    const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: "c-in" });
    const id = inbound.callControlId;
    await act(id, "answer");
    await act(id, "gather", { maximum_digits: 3, timeout_millis: 60000 });
    inbound.pressDigits("987");
    await waitEvent(id, "call.gather.ended");
    expect(payloadOf(id, "call.gather.ended")).toMatchObject({ digits: "987", status: "valid" });
    await act(id, "hangup");
  });

  it("digits pressed on an answered call without a gather are reported at once and typed ahead into the next gather", async () => {
    const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: "c-in" });
    const id = inbound.callControlId;
    await act(id, "answer");
    await waitEvent(id, "call.answered");
    inbound.pressDigits("42");
    // Telnyx reports DTMF on the call whether or not a gather runs.
    expect(inbound.eventTypes.filter((t) => t === "call.dtmf.received")).toHaveLength(2);
    await act(id, "gather", { maximum_digits: 3, timeout_millis: 60000 });
    inbound.pressDigits("7");
    await waitEvent(id, "call.gather.ended");
    expect(payloadOf(id, "call.gather.ended")).toMatchObject({ digits: "427", status: "valid" });
    // The typed-ahead digits were reported once, when pressed.
    expect(inbound.eventTypes.filter((t) => t === "call.dtmf.received")).toHaveLength(3);
    await act(id, "hangup");
  });

  it("a gather nobody answers ends with status timeout", async () => {
    const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: "c-in" });
    const id = inbound.callControlId;
    await act(id, "answer");
    await act(id, "gather", {});
    await waitEvent(id, "call.gather.ended");
    expect(payloadOf(id, "call.gather.ended")).toMatchObject({ digits: "", status: "timeout" });
    await act(id, "hangup");
  });

  it("reject ends a ringing inbound call with call_rejected", async () => {
    const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: "c-in" });
    expect((await act(inbound.callControlId, "reject", { cause: "CALL_REJECTED" })).status).toBe(200);
    await waitEvent(inbound.callControlId, "call.hangup");
    expect(payloadOf(inbound.callControlId, "call.hangup")).toMatchObject({ hangup_cause: "call_rejected" });
    expect(inbound.state).toBe("ended");
  });

  it("uses the application's webhook_event_url for its calls", async () => {
    const other = await startReceiver(() => sim.publicKey);
    try {
      const created = await call<{ data: { id: string } }>("POST", "/call_control_applications", {
        application_name: "inbound-app",
        webhook_event_url: other.url,
      });
      const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: created.body.data.id });
      await other.waitFor((e) => e.length >= 1, "call.initiated at the application URL");
      expect(other.events[0]?.data.payload).toMatchObject({ connection_id: created.body.data.id });
      await act(inbound.callControlId, "reject", { cause: "USER_BUSY" });
      await sim.idle();
    } finally {
      await other.close();
    }
  });
});

describe("bridge, transfer, DTMF, recording, playback", () => {
  it("bridges two calls (call.bridged on both); hanging up one hangs up the other", async () => {
    const a = await dialAnswered(call, receiver);
    const b = await dialAnswered(call, receiver);
    expect((await act(a, "bridge", { call_control_id: b })).status).toBe(200);
    await waitEvent(a, "call.bridged");
    await waitEvent(b, "call.bridged");
    expect(sim.calls.get(a)?.bridgedWith).toBe(b);
    // DTMF sent on one leg is heard on the other.
    await act(a, "send_dtmf", { digits: "5" });
    await waitEvent(b, "call.dtmf.received");
    expect(payloadOf(b, "call.dtmf.received")).toMatchObject({ digit: "5" });
    await act(a, "hangup");
    await waitEvent(b, "call.hangup");
    expect(sim.calls.get(b)?.state).toBe("ended");
  });

  it("park_after_unbridge=self keeps the leg up when the other hangs up", async () => {
    const a = await dialAnswered(call, receiver);
    const b = await dialAnswered(call, receiver);
    await act(a, "bridge", { call_control_id: b, park_after_unbridge: "self" });
    await act(b, "hangup");
    await waitEvent(b, "call.hangup");
    expect(sim.calls.get(a)?.state).toBe("answered");
    await act(a, "hangup");
  });

  it("transfer dials a new leg in the same session and bridges it when answered", async () => {
    const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: "c-in" });
    const a = inbound.callControlId;
    await act(a, "answer");
    expect((await act(a, "transfer", { to: "+12025550177", target_leg_client_state: "bGVnLWI=" })).status).toBe(200);
    await waitEvent(a, "call.bridged");
    const leg = sim.calls.list().find((c) => c.to === "+12025550177")!;
    await waitEvent(leg.callControlId, "call.bridged");
    expect(leg.callSessionId).toBe(inbound.callSessionId);
    expect(receiver.ofCall(leg.callControlId)).toEqual(["call.initiated", "call.answered", "call.bridged"]);
    expect(payloadOf(leg.callControlId, "call.answered")).toMatchObject({ client_state: "bGVnLWI=" });
    await act(leg.callControlId, "hangup");
    await waitEvent(a, "call.hangup");
  });

  it("a transfer to a busy number leaves the original call up", async () => {
    const a = await dialAnswered(call, receiver);
    await act(a, "transfer", { to: "+12025550486" });
    const leg = () =>
      sim.calls
        .list()
        .find(
          (c) =>
            c.to === "+12025550486" &&
            c.direction === "outgoing" &&
            c.callSessionId === sim.calls.get(a)?.callSessionId,
        );
    await receiver.waitFor(() => leg()?.state === "ended", "the transfer leg to end");
    expect(sim.calls.get(a)?.state).toBe("answered");
    await act(a, "hangup");
  });

  it("dial with record-from-answer records from the answer: record_stop saves it", async () => {
    const id = await dialAnswered(call, receiver, { record: "record-from-answer" });
    expect((await act(id, "record_stop")).status).toBe(200);
    const legId = sim.calls.get(id)!.callLegId;
    await receiver.waitFor(
      (evs) => evs.some((e) => e.data.event_type === "call.recording.saved" && e.data.payload.call_leg_id === legId),
      "call.recording.saved",
    );
    await act(id, "hangup");
  });

  it("record_start/record_stop produce call.recording.saved; playback produces started/ended", async () => {
    const id = await dialAnswered(call, receiver);
    await act(id, "record_start", { format: "wav", channels: "dual" });
    await act(id, "playback_start", { audio_url: "https://example.com/hold.mp3" });
    await waitEvent(id, "call.playback.ended");
    await act(id, "record_stop");
    // call.recording.saved carries no call_control_id in the spec: it is matched by call_leg_id.
    const legId = sim.calls.get(id)!.callLegId;
    await receiver.waitFor(
      (evs) => evs.some((e) => e.data.event_type === "call.recording.saved" && e.data.payload.call_leg_id === legId),
      "call.recording.saved",
    );
    const saved = receiver.events.find(
      (e) => e.data.event_type === "call.recording.saved" && e.data.payload.call_leg_id === legId,
    );
    expect(saved?.data.payload).toMatchObject({ channels: "dual" });
    expect(saved?.data.payload.recording_urls).toHaveProperty("wav");
    expect(payloadOf(id, "call.playback.ended")).toMatchObject({
      status: "completed",
      media_url: "https://example.com/hold.mp3",
    });
    await act(id, "hangup");
  });

  it("hanging up during speech ends the speech with status call_hangup before call.hangup", async () => {
    const slowReceiver = await startReceiver(() => slow.publicKey);
    const slow: Simulator = await startSimulator({
      webhookUrl: slowReceiver.url,
      answerDelayMs: 5,
      mediaDurationMs: 60000,
    });
    const slowCall = api(slow);
    try {
      const res = await slowCall<DialData>("POST", "/calls", {
        connection_id: "c",
        from: "+12025550100",
        to: "+12025550111",
      });
      const id = res.body.data.call_control_id;
      await slowReceiver.waitFor(() => slow.calls.get(id)?.state === "answered", "answer");
      await slowCall("POST", `/calls/${id}/actions/speak`, { payload: "long", voice: "female" });
      await slowCall("POST", `/calls/${id}/actions/hangup`, {});
      expect(slow.calls.get(id)?.eventTypes.slice(-2)).toEqual(["call.speak.ended", "call.hangup"]);
      await slow.idle();
      const ended = slowReceiver.events.find((e) => e.data.event_type === "call.speak.ended");
      expect(ended?.data.payload.status).toBe("call_hangup");
      expect(slowReceiver.rejected).toBe(0);
    } finally {
      await slow.stop();
      await slowReceiver.close();
    }
  });
});

describe("call control applications and active calls", () => {
  it("creates, lists, filters, updates and deletes applications", async () => {
    const created = await call<{ data: { id: string; record_type: string } }>("POST", "/call_control_applications", {
      application_name: "crud-app",
      webhook_event_url: "https://example.com/hooks",
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const listed = await call<{ data: Array<{ id: string }> }>(
      "GET",
      "/call_control_applications?filter[application_name][contains]=crud",
    );
    expect(listed.body.data.map((a) => a.id)).toEqual([id]);
    const updated = await call<{ data: { application_name: string } }>("PATCH", `/call_control_applications/${id}`, {
      application_name: "crud-app-2",
      webhook_event_url: "https://example.com/hooks2",
    });
    expect(updated.body.data.application_name).toBe("crud-app-2");
    expect((await call("DELETE", `/call_control_applications/${id}`)).status).toBe(200);
    expect((await call("GET", `/call_control_applications/${id}`)).status).toBe(404);
  });

  it("lists active calls of a connection with cursors, forwards and back", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await dialAnswered(call, receiver, { connection_id: "c-page" }));
    type Page = {
      data: Array<{ call_control_id: string }>;
      meta: { cursors: { after?: string; before?: string }; total_items: number; next?: string };
    };
    const seen: string[] = [];
    let res = await call<Page>("GET", "/connections/c-page/active_calls?page[limit]=2");
    seen.push(...res.body.data.map((c) => c.call_control_id));
    expect(res.body.meta.total_items).toBe(5);
    while (res.body.meta.cursors.after) {
      res = await call<Page>(
        "GET",
        `/connections/c-page/active_calls?page[limit]=2&page[after]=${res.body.meta.cursors.after}`,
      );
      seen.push(...res.body.data.map((c) => c.call_control_id));
    }
    expect(seen).toEqual(ids);
    const back = await call<Page>(
      "GET",
      `/connections/c-page/active_calls?page[limit]=2&page[before]=${res.body.meta.cursors.before}`,
    );
    expect(back.body.data.map((c) => c.call_control_id)).toEqual(ids.slice(2, 4));
    await act(ids[0]!, "hangup");
    const after = await call<Page>("GET", "/connections/c-page/active_calls");
    expect(after.body.data.map((c) => c.call_control_id)).toEqual(ids.slice(1));
    for (const id of ids.slice(1)) await act(id, "hangup");
  });
});
