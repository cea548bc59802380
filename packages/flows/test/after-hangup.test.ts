// A call is known by its leg, and its events outlive the hangup: recording events carry only `call_leg_id`, and
// Telnyx sends them (and the call's cost...) after `call.hangup`. Against the simulator delivering as Telnyx does.
import { afterEach, describe, expect, test } from "vitest";
import { type WebhookEvent, Webhooks } from "@telnyx-voice/webhooks";
import { ActionFailedError, CallEndedError, CallFlows, type EventPayload, FlowTimeoutError } from "../src/index.js";
import { deferred, type Harness, harness, until } from "./harness.js";

let h: Harness<unknown> | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: Parameters<typeof harness>[0] = {}): Promise<Harness<unknown>> {
  h = await harness(options);
  return h;
}

type Saved = EventPayload<"call.recording.saved">;

/** An event of the call the way Telnyx sends recording events: leg and session ids, no call_control_id. */
function legEvent(type: string, leg: string, payload: Record<string, unknown> = {}): WebhookEvent {
  return {
    data: {
      record_type: "event",
      event_type: type,
      id: `evt-${Math.random().toString(36).slice(2)}`,
      occurred_at: new Date().toISOString(),
      payload: { call_leg_id: leg, connection_id: "flows-app", ...payload },
    },
  } as unknown as WebhookEvent;
}

describe("recordings", () => {
  test("recordStop resolves with call.recording.saved, which names only the call's leg", async () => {
    const t = await start();
    const done = deferred<Saved>();
    t.flows.incoming(async (call) => {
      await call.answer();
      await call.recordStart({ format: "mp3", channels: "single" });
      done.resolve(await call.recordStop());
      await call.hangup();
    });
    const id = t.callIn();
    const saved = await done.promise;
    expect(saved).not.toHaveProperty("call_control_id");
    expect(saved.call_leg_id).toBe(t.sim.calls.get(id)?.callLegId);
    expect(saved.recording_urls?.mp3).toMatch(/^https:\/\//);
    expect(t.errors).toEqual([]);
  });

  test("the caller hangs up mid-recording: awaits of the recording resolve when it is saved, after the hangup", async () => {
    const t = await start({ mediaDurationMs: 2000 });
    const seen: string[] = [];
    const outcome = deferred<{ stop: Saved; waited: Saved; heard: Saved; speak: unknown; ended: string }>();
    t.flows.incoming(async (call) => {
      await call.answer();
      await call.recordStart({ format: "mp3", channels: "single" });
      const waited = call.waitFor("call.recording.saved");
      const heard = new Promise<Saved>((resolve) => call.on("call.recording.saved", resolve));
      call.on("call.hangup", () => seen.push("call.hangup"));
      call.on("call.recording.saved", () => seen.push("call.recording.saved"));
      const speak = call.speak({ payload: "Talk as long as you like", voice: "female" }).catch((e: unknown) => e);
      setTimeout(() => t.sim.calls.get(call.id)?.hangup(), 50);
      const ended = await call.ended;
      // After the hangup, recordStop sends nothing and resolves with the recording saved at the hangup.
      outcome.resolve({
        stop: await call.recordStop(),
        waited: await waited,
        heard: await heard,
        speak: await speak,
        ended: ended.hangup_cause ?? "",
      });
    });
    t.callIn();
    const { stop, waited, heard, speak, ended } = await outcome.promise;
    expect(ended).toBe("normal_clearing");
    expect(stop.recording_urls).toEqual(waited.recording_urls);
    expect(heard.recording_urls).toEqual(stop.recording_urls);
    // Other awaits still end at the hangup.
    expect(speak).toBeInstanceOf(CallEndedError);
    expect(seen).toEqual(["call.hangup", "call.recording.saved"]);
    expect(t.errors).toEqual([]);
  });

  test("call.recording.error rejects recordStop at once with ActionFailedError, not at its timeout", async () => {
    const t = await start();
    const outcome = deferred<{ stop: unknown; waited: unknown; ms: number }>();
    t.flows.incoming(async (call) => {
      await call.answer();
      await call.recordStart({ format: "mp3", channels: "single" });
      t.sim.calls.get(call.id)?.hangup();
      await call.ended;
      const began = Date.now();
      const stop = call.recordStop({}, { timeoutMs: 30_000 }).catch((e: unknown) => e);
      // What Telnyx does not send after a hangup is not awaited after it.
      const waited = call.waitFor("call.speak.ended", { timeoutMs: 300 }).catch((e: unknown) => e);
      // Telnyx could not save it: the error comes instead of the recording.
      await t.flows.handle(legEvent("call.recording.error", call.callLegId ?? "", { reason: "Internal server error" }));
      outcome.resolve({ stop: await stop, waited: await waited, ms: Date.now() - began });
    });
    t.callIn();
    const { stop, waited, ms } = await outcome.promise;
    expect(stop).toBeInstanceOf(ActionFailedError);
    expect((stop as ActionFailedError).event_type).toBe("call.recording.error");
    expect(ms).toBeLessThan(5000);
    expect(waited).toBeInstanceOf(CallEndedError);
  });
});

describe("after the hangup", () => {
  test("an await's timeout says what arrived instead", async () => {
    const t = await start();
    const outcome = deferred<unknown>();
    t.flows.incoming(async (call) => {
      await call.answer();
      await call.recordStart({ format: "mp3", channels: "single" });
      const waited = call.waitFor("call.recording.transcription.saved", { timeoutMs: 400 }).catch((e: unknown) => e);
      await call.hangup();
      outcome.resolve(await waited);
    });
    t.callIn();
    const error = await outcome.promise;
    expect(error).toBeInstanceOf(FlowTimeoutError);
    expect((error as FlowTimeoutError).arrived).toEqual(
      expect.arrayContaining(["call.hangup", "call.recording.saved"]),
    );
    expect((error as Error).message).toMatch(
      /^waitFor\(call\.recording\.transcription\.saved\): no call\.recording\.transcription\.saved within 400 ms \(.*call\.recording\.saved.* arrived\)/,
    );
  });

  test("past afterHangupMs the call is forgotten: its late events go to otherwise, never nowhere", async () => {
    const t = await start({ flows: { afterHangupMs: 150 } });
    const other: string[] = [];
    t.flows.otherwise((event) => void other.push(event.data.event_type));
    const flowSaw: string[] = [];
    const leg = deferred<string>();
    t.flows.incoming(async (call) => {
      call.on("call.cost", () => flowSaw.push("call.cost"));
      await call.answer();
      await call.hangup();
      leg.resolve(call.callLegId ?? "");
      // Within afterHangupMs a late event still reaches the call; a type Telnyx does not send then goes elsewhere.
      await t.flows.handle(legEvent("call.cost", call.callLegId ?? ""));
      await t.flows.handle(legEvent("call.speak.started", call.callLegId ?? ""));
      await expect(call.waitFor("call.speak.ended")).rejects.toBeInstanceOf(CallEndedError);
    });
    t.callIn();
    const id = await leg.promise;
    await until(() => flowSaw.length === 1 && other.includes("call.speak.started"), "the late events");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.flows.handle(legEvent("call.cost", id));
    expect(flowSaw).toEqual(["call.cost"]);
    expect(other).toEqual(expect.arrayContaining(["call.speak.started", "call.cost"]));
  });
});

describe("events that came before the await", () => {
  test("digits pressed while the flow was busy are each taken by the next waitFor, in order", async () => {
    const t = await start({ flows: { reorderWindowMs: 60 } });
    const done = deferred<string>();
    t.flows.incoming(async (call) => {
      await call.answer();
      // Busy elsewhere (no command sent) while the three digits arrive.
      for (const digit of "123") {
        t.sim.calls.get(call.id)?.pressDigits(digit);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      let digits = "";
      for (let i = 0; i < 3; i++) digits += (await call.waitFor("call.dtmf.received", { timeoutMs: 2000 })).digit;
      await call.hangup();
      done.resolve(digits);
    });
    t.callIn();
    expect(await done.promise).toBe("123");
  });
});

test("a command Telnyx refuses because the call has just ended rejects with CallEndedError and its cause, not the 422", async () => {
  const t = await start({ delivery: { duplicateRate: 0, concurrency: 1, jitterMs: 200, seed: 2 } });
  const outcome = deferred<unknown>();
  t.flows.incoming(async (call) => {
    await call.answer();
    // The far end hangs up before the command arrives; its call.hangup webhook is still on its way (jitter).
    t.sim.calls.get(call.id)?.hangup("normal_clearing");
    outcome.resolve(await call.speak({ payload: "Too late", voice: "female" }).catch((e: unknown) => e));
  });
  t.callIn();
  const error = await outcome.promise;
  expect(error).toBeInstanceOf(CallEndedError);
  expect((error as CallEndedError).hangup_cause).toBe("normal_clearing");
});

test("an event after the hangup that nothing of the flow took goes to otherwise when the call is forgotten", async () => {
  const t = await start({ flows: { afterHangupMs: 200 } });
  const other: string[] = [];
  t.flows.otherwise((event) => void other.push(event.data.event_type));
  const leg = deferred<string>();
  t.flows.incoming(async (call) => {
    await call.answer();
    await call.hangup();
    leg.resolve(call.callLegId ?? "");
  });
  t.callIn();
  const id = await leg.promise;
  await t.flows.handle(legEvent("call.cost", id));
  // Kept for the flow meanwhile (a waitFor could still take it), handed on once the call is forgotten.
  expect(other).not.toContain("call.cost");
  await until(() => other.includes("call.cost"), "call.cost in otherwise", 2000);
});

test("timeouts beyond what a timer can wait, and a transfer's target_leg_client_state, are refused", async () => {
  const t = await start();
  expect(
    () =>
      new CallFlows({
        telnyx: t.telnyx,
        webhooks: new Webhooks({ publicKey: t.sim.publicKey }),
        afterHangupMs: 2 ** 31,
      }),
  ).toThrow(/afterHangupMs must be a number of milliseconds from 1 to 2147483647/);
  const call = await t.flows.dial({ connection_id: "flows-app", from: "+13125550100", to: "+13125550111" });
  await expect(call.speak({ payload: "x", voice: "female" }, { timeoutMs: 2 ** 31 })).rejects.toThrow(RangeError);
  await expect(call.transfer({ to: "+13125550123", target_leg_client_state: "aGk=" })).rejects.toThrow(
    /target_leg_client_state.*tags the new leg itself/,
  );
  await call.hangup();
});
