// Recordings as Telnyx reports them, received as signed webhooks on loopback and checked against the spec's webhook
// schemas: the file is saved after the recording ends, so a call hung up while recording (by either side, and with
// `record: "record-from-answer"` on dial or answer) gets `call.recording.saved` after its `call.hangup`;
// `max_length` and `timeout_secs` end a recording; the far end's number ending in 0500 gives `call.recording.error`;
// `transcription: true` adds `call.recording.transcription.saved` (README: Recordings).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventValidator, SIMULATED_TRANSCRIPTION_TEXT, type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, type DialData, type ReceivedEvent, type Receiver, startReceiver } from "./helpers.js";

const SAVED_DELAY_MS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sim: Simulator;
let receiver: Receiver;
let call: Api;

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 5, recordingSavedDelayMs: SAVED_DELAY_MS });
  call = api(sim);
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

afterEach(async () => {
  await sim.idle();
  expect(receiver.rejected).toBe(0);
  for (const event of receiver.events) {
    const validate = eventValidator(event.data.event_type);
    expect(validate(event), `${event.data.event_type}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const act = (id: string, action: string, body: Record<string, unknown> = {}) =>
  call<Record<string, unknown> & { data?: Record<string, unknown> }>(
    "POST",
    `/calls/${encodeURIComponent(id)}/actions/${action}`,
    body,
  );

async function dialAnswered(to = "+12025550111", extra: Record<string, unknown> = {}) {
  const res = await call<DialData & { data: { recording_id?: string } }>("POST", "/calls", {
    connection_id: "rec",
    from: "+12025550100",
    to,
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const id = res.body.data.call_control_id;
  await receiver.waitFor(() => sim.calls.get(id)?.state === "answered", "the answer");
  return { id, leg: res.body.data.call_leg_id, recordingId: res.body.data.recording_id };
}

async function answeredInbound(from: string, answer: Record<string, unknown> = {}) {
  const inbound = sim.inboundCall({ from, to: "+12025550100", connectionId: "rec" });
  const res = await act(inbound.callControlId, "answer", answer);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { id: inbound.callControlId, leg: inbound.callLegId, recordingId: res.body.data?.recording_id };
}

/** The leg's events as delivered (first attempts), matched by call_leg_id: call.recording.saved has no call_control_id. */
const legEvents = (leg: string): ReceivedEvent[] =>
  receiver.events.filter((e) => e.data.payload.call_leg_id === leg && e.meta.attempt === 1);
const typesOf = (leg: string) => legEvents(leg).map((e) => e.data.event_type);
const eventOf = (leg: string, type: string) => legEvents(leg).find((e) => e.data.event_type === type);
const waitLeg = (leg: string, type: string) =>
  receiver.waitFor(() => eventOf(leg, type) !== undefined, `${type} on leg ${leg}`, 5000);
const at = (event: ReceivedEvent | undefined) => Date.parse(event?.data.occurred_at ?? "");

describe("a call hung up while recording", () => {
  it.each(["the far end", "the app"])(
    "%s hangs up: call.hangup, then call.recording.saved recordingSavedDelayMs later, with the spec's fields",
    async (who) => {
      const { id, leg } = await dialAnswered();
      expect((await act(id, "record_start", { format: "mp3", channels: "single", client_state: "cmVj" })).status).toBe(
        200,
      );
      if (who === "the far end") sim.calls.get(id)?.hangup();
      else expect((await act(id, "hangup")).status).toBe(200);
      await waitLeg(leg, "call.recording.saved");
      expect(typesOf(leg)).toEqual(["call.initiated", "call.answered", "call.hangup", "call.recording.saved"]);
      const hangup = eventOf(leg, "call.hangup");
      const saved = eventOf(leg, "call.recording.saved");
      expect(at(saved) - at(hangup)).toBeGreaterThanOrEqual(SAVED_DELAY_MS - 2);
      const url = expect.stringMatching(/\.mp3$/);
      const leg0 = sim.calls.get(id)!;
      // Exactly the spec's fields: call_leg_id and no call_control_id, as Telnyx's own example.
      expect(saved?.data.payload).toEqual({
        call_leg_id: leg,
        call_session_id: leg0.callSessionId,
        connection_id: "rec",
        client_state: "cmVj",
        channels: "single",
        recording_started_at: expect.any(String),
        recording_ended_at: expect.any(String),
        recording_urls: { mp3: url },
        public_recording_urls: { mp3: url },
      });
      // The recording ended with the call, before its file was saved.
      expect(Date.parse(String(saved?.data.payload.recording_ended_at))).toBeLessThanOrEqual(at(hangup) + 5);
    },
  );

  it("record-from-answer on dial: the dial's recording_id, the spec's defaults (dual, mp3), saved after the hangup", async () => {
    const plain = await dialAnswered("+12025550111", { record: "record-from-answer" });
    const tuned = await dialAnswered("+12025550111", {
      record: "record-from-answer",
      record_channels: "single",
      record_format: "wav",
    });
    expect(plain.recordingId).toMatch(UUID);
    for (const { id } of [plain, tuned]) await act(id, "hangup");
    for (const { leg } of [plain, tuned]) {
      await waitLeg(leg, "call.recording.saved");
      expect(typesOf(leg).slice(-2)).toEqual(["call.hangup", "call.recording.saved"]);
    }
    expect(eventOf(plain.leg, "call.recording.saved")?.data.payload).toMatchObject({
      channels: "dual",
      recording_urls: { mp3: expect.any(String) },
    });
    expect(eventOf(tuned.leg, "call.recording.saved")?.data.payload).toMatchObject({
      channels: "single",
      recording_urls: { wav: expect.any(String) },
    });
  });

  it("record-from-answer on answer (inbound): the answer's recording_id, saved after the caller hangs up", async () => {
    const { id, leg, recordingId } = await answeredInbound("+12025550142", { record: "record-from-answer" });
    expect(recordingId).toMatch(UUID);
    sim.calls.get(id)?.hangup();
    await waitLeg(leg, "call.recording.saved");
    expect(typesOf(leg)).toEqual(["call.initiated", "call.answered", "call.hangup", "call.recording.saved"]);
  });

  it("sim.idle() waits for the recording saved after the hangup", async () => {
    const { id, leg } = await dialAnswered();
    await act(id, "record_start", { format: "wav", channels: "dual" });
    await act(id, "hangup");
    await sim.idle();
    expect(typesOf(leg).at(-1)).toBe("call.recording.saved");
  });

  it("recording_track inbound or outbound is recorded single channel, whatever channels says", async () => {
    const { id, leg } = await dialAnswered();
    await act(id, "record_start", { format: "mp3", channels: "dual", recording_track: "inbound" });
    await act(id, "record_stop");
    await waitLeg(leg, "call.recording.saved");
    expect(eventOf(leg, "call.recording.saved")?.data.payload.channels).toBe("single");
    await act(id, "hangup");
  });
});

describe("limits", () => {
  it("max_length and timeout_secs end the recording (saved) while the call goes on; 0 means no limit", async () => {
    const [byLength, bySilence, unlimited] = await Promise.all([dialAnswered(), dialAnswered(), dialAnswered()]);
    await act(byLength.id, "record_start", { format: "mp3", channels: "single", max_length: 1 });
    // The far end speaks as the recording starts and is silent after: timeout_secs counts from the start.
    await act(bySilence.id, "record_start", { format: "mp3", channels: "single", timeout_secs: 1 });
    await act(unlimited.id, "record_start", { format: "mp3", channels: "single", max_length: 0, timeout_secs: 0 });
    for (const { leg } of [byLength, bySilence]) {
      await waitLeg(leg, "call.recording.saved");
      const payload = eventOf(leg, "call.recording.saved")?.data.payload;
      const length =
        Date.parse(String(payload?.recording_ended_at)) - Date.parse(String(payload?.recording_started_at));
      expect(length).toBeGreaterThanOrEqual(990);
      expect(length).toBeLessThan(1500);
      expect(typesOf(leg)).toEqual(["call.initiated", "call.answered", "call.recording.saved"]);
    }
    for (const { id } of [byLength, bySilence]) {
      expect(sim.calls.get(id)?.state).toBe("answered");
      // The recording is over: there is nothing left to stop.
      expect((await act(id, "record_stop")).status).toBe(422);
    }
    await sleep(100);
    expect(typesOf(unlimited.leg)).toEqual(["call.initiated", "call.answered"]);
    for (const { id } of [byLength, bySilence, unlimited]) await act(id, "hangup");
    await waitLeg(unlimited.leg, "call.recording.saved");
  });

  it("limits are checked: max_length over 14400, record_max_length over 43200 (no call placed), a wrong recording_id", async () => {
    const { id } = await dialAnswered();
    const tooLong = await act(id, "record_start", { format: "mp3", channels: "single", max_length: 14401 });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors).toEqual([
      expect.objectContaining({ code: "10033", source: { pointer: "/max_length" } }),
    ]);
    const before = sim.calls.list().length;
    const dial = await call<{ errors: unknown[] }>("POST", "/calls", {
      connection_id: "rec",
      from: "+12025550100",
      to: "+12025550111",
      record: "record-from-answer",
      record_max_length: 43201,
    });
    expect(dial.status).toBe(422);
    expect(dial.body.errors).toEqual([
      expect.objectContaining({ code: "10033", source: { pointer: "/record_max_length" } }),
    ]);
    expect(sim.calls.list().length).toBe(before);
    await act(id, "record_start", { format: "mp3", channels: "single" });
    const wrong = await act(id, "record_stop", { recording_id: "5b4e4c1a-1111-4a1a-9c1a-1a1a1a1a1a1a" });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([
      expect.objectContaining({ code: "10015", source: { pointer: "/recording_id" } }),
    ]);
    await act(id, "hangup");
  });
});

describe("call.recording.error: the far end's number ends in 0500", () => {
  it("outbound to ...0500 and inbound from ...0500: call.recording.error with the spec's reason, no call.recording.saved", async () => {
    const outbound = await dialAnswered("+12025550500");
    const inbound = await answeredInbound("+12025550500");
    // The rule is about the far end: an inbound call *to* a number ending 0500 records fine.
    const fine = sim.inboundCall({ from: "+12025550142", to: "+12025550500", connectionId: "rec" });
    await act(fine.callControlId, "answer");
    for (const id of [outbound.id, inbound.id, fine.callControlId]) {
      await act(id, "record_start", { format: "mp3", channels: "single", client_state: "ZXJy" });
      await act(id, "hangup");
    }
    for (const { id, leg } of [outbound, inbound]) {
      await waitLeg(leg, "call.recording.error");
      expect(typesOf(leg).slice(-2)).toEqual(["call.hangup", "call.recording.error"]);
      const c = sim.calls.get(id)!;
      expect(eventOf(leg, "call.recording.error")?.data.payload).toEqual({
        call_control_id: id,
        call_leg_id: leg,
        call_session_id: c.callSessionId,
        connection_id: "rec",
        client_state: "ZXJy",
        reason: "Internal server error",
      });
    }
    await waitLeg(fine.callLegId, "call.recording.saved");
    await sim.idle();
    for (const { leg } of [outbound, inbound]) expect(typesOf(leg)).not.toContain("call.recording.saved");
  });
});

describe("transcription", () => {
  it("record_start with transcription: call.recording.saved, then call.recording.transcription.saved, on record_stop and after a hangup", async () => {
    const stopped = await dialAnswered();
    const hungUp = await dialAnswered("sip:someone@example.com");
    for (const { id } of [stopped, hungUp]) {
      await act(id, "record_start", { format: "mp3", channels: "single", transcription: true });
    }
    await act(stopped.id, "record_stop");
    sim.calls.get(hungUp.id)?.hangup();
    for (const { leg } of [stopped, hungUp]) await waitLeg(leg, "call.recording.transcription.saved");
    expect(typesOf(stopped.leg)).toEqual([
      "call.initiated",
      "call.answered",
      "call.recording.saved",
      "call.recording.transcription.saved",
    ]);
    expect(typesOf(hungUp.leg)).toEqual([
      "call.initiated",
      "call.answered",
      "call.hangup",
      "call.recording.saved",
      "call.recording.transcription.saved",
    ]);
    const saved = eventOf(stopped.leg, "call.recording.saved");
    const transcription = eventOf(stopped.leg, "call.recording.transcription.saved");
    expect(at(transcription) - at(saved)).toBeGreaterThanOrEqual(SAVED_DELAY_MS - 2);
    const c = sim.calls.get(stopped.id)!;
    expect(transcription?.data.payload).toEqual({
      call_control_id: stopped.id,
      call_leg_id: stopped.leg,
      call_session_id: c.callSessionId,
      connection_id: "rec",
      calling_party_type: "pstn",
      recording_id: expect.stringMatching(UUID),
      recording_transcription_id: expect.stringMatching(UUID),
      status: "completed",
      transcription_text: SIMULATED_TRANSCRIPTION_TEXT,
    });
    expect(eventOf(hungUp.leg, "call.recording.transcription.saved")?.data.payload.calling_party_type).toBe("sip");
    await act(stopped.id, "hangup");
  });

  it("the transcription names the recording the dial or answer announced (record-from-answer)", async () => {
    const { id, leg, recordingId } = await dialAnswered("+12025550111", { record: "record-from-answer" });
    // record-from-answer has no transcription field; record_stop then record_start with one starts a new recording.
    await act(id, "record_stop");
    await waitLeg(leg, "call.recording.saved");
    expect(typesOf(leg)).not.toContain("call.recording.transcription.saved");
    await act(id, "record_start", { format: "mp3", channels: "single", transcription: true });
    await act(id, "hangup");
    await waitLeg(leg, "call.recording.transcription.saved");
    expect(eventOf(leg, "call.recording.transcription.saved")?.data.payload.recording_id).not.toBe(recordingId);
  });
});

describe("the ended call", () => {
  it("is kept until what it still sends is sent, even with endedCallRetentionMs 0", async () => {
    let brief: Simulator | undefined;
    const own = await startReceiver(() => brief!.publicKey);
    // The save comes 300 ms after the hangup; the retention (0 ms) runs out long before.
    brief = await startSimulator({
      webhookUrl: own.url,
      answerDelayMs: 5,
      recordingSavedDelayMs: 300,
      endedCallRetentionMs: 0,
    });
    try {
      const briefCall = api(brief);
      const res = await briefCall<DialData>("POST", "/calls", {
        connection_id: "rec",
        from: "+12025550100",
        to: "+12025550111",
        record: "record-from-answer",
      });
      const { call_control_id: id, call_leg_id: leg } = res.body.data;
      await own.waitFor(() => brief?.calls.get(id)?.state === "answered", "the answer");
      await briefCall("POST", `/calls/${id}/actions/hangup`, {});
      // Timers run in order: the retention's (0 ms) before this sleep's, and this one before the save's.
      await sleep(30);
      // Retention is over, but the recording is still being saved: the call is still there.
      expect(brief.calls.get(id)?.state).toBe("ended");
      await brief.idle();
      const types = own.events.filter((e) => e.data.payload.call_leg_id === leg).map((e) => e.data.event_type);
      expect(types).toEqual(["call.initiated", "call.answered", "call.hangup", "call.recording.saved"]);
      await own.waitFor(() => brief?.calls.get(id) === undefined, "the call to be forgotten");
    } finally {
      await brief.stop();
      await own.close();
    }
  });

  it("sim.stop() while a recording is being saved: nothing is sent after it", async () => {
    let brief: Simulator | undefined;
    const own = await startReceiver(() => brief!.publicKey);
    // Long enough for the hangup's delivery to come back before the save is due.
    brief = await startSimulator({ webhookUrl: own.url, answerDelayMs: 5, recordingSavedDelayMs: 500 });
    try {
      const briefCall = api(brief);
      const res = await briefCall<DialData>("POST", "/calls", {
        connection_id: "rec",
        from: "+12025550100",
        to: "+12025550111",
        record: "record-from-answer",
      });
      const id = res.body.data.call_control_id;
      await own.waitFor(() => brief?.calls.get(id)?.state === "answered", "the answer");
      await briefCall("POST", `/calls/${id}/actions/hangup`, {});
      await own.waitFor((evs) => evs.some((e) => e.data.event_type === "call.hangup"), "call.hangup");
      await brief.stop();
      await sleep(600);
      expect(own.events.map((e) => e.data.event_type)).not.toContain("call.recording.saved");
    } finally {
      await brief.stop();
      await own.close();
    }
  });
});
