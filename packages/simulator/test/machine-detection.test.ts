// Answering machine detection (`answering_machine_detection` on dial and transfer), received as signed webhooks on
// loopback and checked against the spec's webhook schemas: which events each mode sends for a person (any number),
// an answering machine (`to` ending in 0700) and audio the detector cannot classify (0701), when they come, and how
// `answering_machine_detection_config` changes them (README: Answering machine detection).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventValidator, type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, type DialData, type ReceivedEvent, type Receiver, startReceiver } from "./helpers.js";

const DETECTION_MS = 30;
const GREETING_MS = 40;
/**
 * A second simulator with long simulated times, for what must happen before the detection or the beep: results
 * at 5-10 ms, or a hangup, against a decision at 300 ms and a beep 300 ms later, hold on a busy machine too.
 */
const SLOW_MS = 300;

const HUMAN = "+12025550111";
const MACHINE = "+12025550700";
const NOT_SURE = "+12025550701";

/** A simulator, its receiver, and how long until a call's detection has sent all it can (default analysis times). */
interface Setup {
  sim: Simulator;
  receiver: Receiver;
  call: Api;
  settleMs: number;
}

const setups: Setup[] = [];

async function setUp(detectionMs: number, greetingMs: number): Promise<Setup> {
  let sim: Simulator | undefined;
  const receiver = await startReceiver(() => sim!.publicKey);
  sim = await startSimulator({
    webhookUrl: receiver.url,
    answerDelayMs: 5,
    machineDetectionMs: detectionMs,
    machineGreetingMs: greetingMs,
  });
  const setup = { sim, receiver, call: api(sim), settleMs: detectionMs + greetingMs + 60 };
  setups.push(setup);
  return setup;
}

let main: Setup;
let slow: Setup;
let sim: Simulator;
let receiver: Receiver;
let call: Api;

beforeAll(async () => {
  main = await setUp(DETECTION_MS, GREETING_MS);
  slow = await setUp(SLOW_MS, SLOW_MS);
  ({ sim, receiver, call } = main);
});
afterAll(async () => {
  for (const setup of setups) {
    await setup.sim.stop();
    await setup.receiver.close();
  }
});

// Everything delivered was signed correctly and is valid against its webhook's schema in the spec.
afterEach(async () => {
  for (const setup of setups) {
    await setup.sim.idle();
    expect(setup.receiver.rejected).toBe(0);
    for (const event of setup.receiver.events) {
      const validate = eventValidator(event.data.event_type);
      expect(validate(event), `${event.data.event_type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function dial(to: string, extra: Record<string, unknown> = {}, on: Setup = main): Promise<string> {
  const body = { connection_id: "amd", from: "+12025550100", to, ...extra };
  const res = await on.call<DialData>("POST", "/calls", body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.call_control_id;
}

const eventsOf = (id: string, on: Setup = main): ReceivedEvent[] =>
  on.receiver.events.filter((e) => e.data.payload.call_control_id === id && e.meta.attempt === 1);

const eventOf = (id: string, type: string, on: Setup = main) =>
  eventsOf(id, on).find((e) => e.data.event_type === type);

/** Milliseconds between two events of the call, by their `occurred_at`. */
function gap(id: string, from: string, to: string, on: Setup = main): number {
  const at = (type: string) => Date.parse(eventOf(id, type, on)?.data.occurred_at ?? "");
  return at(to) - at(from);
}

/**
 * Waits for the call's events to reach the expected count (however slow the machine), then a while longer in case
 * more come (what its detection could still send), and returns its event types.
 */
async function settled(id: string, expected: number, on: Setup = main): Promise<string[]> {
  await on.receiver.waitFor(() => on.receiver.ofCall(id).length >= expected, `${expected} events of ${id}`);
  await sleep(on.settleMs);
  await on.sim.idle();
  return on.receiver.ofCall(id);
}

describe("standard detection", () => {
  it("detect, answering machine (0700): call.machine.detection.ended `machine` machineDetectionMs after the answer, and no greeting event", async () => {
    const id = await dial(MACHINE, { answering_machine_detection: "detect", client_state: "YW1k" });
    expect(await settled(id, 3)).toEqual(["call.initiated", "call.answered", "call.machine.detection.ended"]);
    const payload = eventOf(id, "call.machine.detection.ended")?.data.payload;
    const leg = sim.calls.get(id)!;
    expect(payload).toEqual({
      call_control_id: id,
      call_leg_id: leg.callLegId,
      call_session_id: leg.callSessionId,
      connection_id: "amd",
      client_state: "YW1k",
      from: "+12025550100",
      to: MACHINE,
      result: "machine",
    });
    expect(gap(id, "call.answered", "call.machine.detection.ended")).toBeGreaterThanOrEqual(DETECTION_MS - 2);
  });

  it.each(["greeting_end", "detect_words", "detect_beep"])(
    "%s, answering machine: `machine`, then call.machine.greeting.ended `beep_detected` machineGreetingMs later",
    async (mode) => {
      const id = await dial(MACHINE, { answering_machine_detection: mode });
      expect(await settled(id, 4)).toEqual([
        "call.initiated",
        "call.answered",
        "call.machine.detection.ended",
        "call.machine.greeting.ended",
      ]);
      expect(eventOf(id, "call.machine.detection.ended")?.data.payload.result).toBe("machine");
      expect(eventOf(id, "call.machine.greeting.ended")?.data.payload.result).toBe("beep_detected");
      expect(gap(id, "call.machine.detection.ended", "call.machine.greeting.ended")).toBeGreaterThanOrEqual(
        GREETING_MS - 2,
      );
    },
  );

  it.each(["detect", "detect_beep", "detect_words", "greeting_end"])(
    "%s, a person (any other number): `human`, and no greeting event",
    async (mode) => {
      const id = await dial(HUMAN, { answering_machine_detection: mode });
      expect(await settled(id, 3)).toEqual(["call.initiated", "call.answered", "call.machine.detection.ended"]);
      expect(eventOf(id, "call.machine.detection.ended")?.data.payload.result).toBe("human");
    },
  );

  it("0701: `not_sure`, and no greeting event even when the mode awaits one", async () => {
    const id = await dial(NOT_SURE, { answering_machine_detection: "greeting_end" });
    expect(await settled(id, 3)).toEqual(["call.initiated", "call.answered", "call.machine.detection.ended"]);
    expect(eventOf(id, "call.machine.detection.ended")?.data.payload.result).toBe("not_sure");
  });
});

describe("premium detection", () => {
  it("answering machine: call.machine.premium.detection.ended `machine`, then call.machine.premium.greeting.ended `beep_detected`", async () => {
    const id = await dial(MACHINE, { answering_machine_detection: "premium" });
    expect(await settled(id, 4)).toEqual([
      "call.initiated",
      "call.answered",
      "call.machine.premium.detection.ended",
      "call.machine.premium.greeting.ended",
    ]);
    expect(eventOf(id, "call.machine.premium.detection.ended")?.data.payload.result).toBe("machine");
    expect(eventOf(id, "call.machine.premium.greeting.ended")?.data.payload.result).toBe("beep_detected");
    expect(
      gap(id, "call.machine.premium.detection.ended", "call.machine.premium.greeting.ended"),
    ).toBeGreaterThanOrEqual(GREETING_MS - 2);
  });

  it("a person: `human_residence` and no greeting event; 0701: `not_sure`", async () => {
    const person = await dial(HUMAN, { answering_machine_detection: "premium" });
    const unsure = await dial(NOT_SURE, { answering_machine_detection: "premium" });
    for (const [id, result] of [
      [person, "human_residence"],
      [unsure, "not_sure"],
    ] as const) {
      expect(await settled(id, 3)).toEqual(["call.initiated", "call.answered", "call.machine.premium.detection.ended"]);
      expect(eventOf(id, "call.machine.premium.detection.ended")?.data.payload.result).toBe(result);
    }
  });
});

describe("answering_machine_detection_config", () => {
  it("greeting_duration_millis shorter than a person's greeting: `machine` then, and greeting.ended `ended` when they fall silent", async () => {
    const id = await dial(HUMAN, {
      answering_machine_detection: "greeting_end",
      answering_machine_detection_config: { greeting_duration_millis: 5 },
    });
    expect(await settled(id, 4)).toEqual([
      "call.initiated",
      "call.answered",
      "call.machine.detection.ended",
      "call.machine.greeting.ended",
    ]);
    expect(eventOf(id, "call.machine.detection.ended")?.data.payload.result).toBe("machine");
    expect(eventOf(id, "call.machine.greeting.ended")?.data.payload.result).toBe("ended");
    expect(gap(id, "call.answered", "call.machine.greeting.ended")).toBeGreaterThanOrEqual(DETECTION_MS - 2);
  });

  it("a negative value is a 422 naming the field, and no call is placed", async () => {
    const before = sim.calls.list().length;
    const res = await call<{ errors: Array<{ code: string; detail: string; source: { pointer: string } }> }>(
      "POST",
      "/calls",
      {
        connection_id: "amd",
        from: "+12025550100",
        to: MACHINE,
        answering_machine_detection: "detect",
        answering_machine_detection_config: { total_analysis_time_millis: -1 },
      },
    );
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({
      code: "10033",
      source: { pointer: "/answering_machine_detection_config/total_analysis_time_millis" },
    });
    expect(res.body.errors[0]?.detail).toMatch(/must be 0 or more, got -1/);
    expect(sim.calls.list().length).toBe(before);
  });
});

describe("analysis times shorter than the simulated ones (on the slow simulator)", () => {
  it("total_analysis_time_millis shorter than the time to decide: `not_sure` then, and no greeting event", async () => {
    const config = { total_analysis_time_millis: 5 };
    const standard = await dial(
      MACHINE,
      { answering_machine_detection: "greeting_end", answering_machine_detection_config: config },
      slow,
    );
    const premium = await dial(
      MACHINE,
      { answering_machine_detection: "premium", answering_machine_detection_config: config },
      slow,
    );
    expect(await settled(standard, 3, slow)).toEqual([
      "call.initiated",
      "call.answered",
      "call.machine.detection.ended",
    ]);
    expect(eventOf(standard, "call.machine.detection.ended", slow)?.data.payload.result).toBe("not_sure");
    expect(gap(standard, "call.answered", "call.machine.detection.ended", slow)).toBeLessThan(SLOW_MS);
    expect(await settled(premium, 3, slow)).toEqual([
      "call.initiated",
      "call.answered",
      "call.machine.premium.detection.ended",
    ]);
    expect(eventOf(premium, "call.machine.premium.detection.ended", slow)?.data.payload.result).toBe("not_sure");
  });

  it("greeting_total_analysis_time_millis shorter than the greeting: greeting.ended `not_sure` (detect_beep: none)", async () => {
    const config = { greeting_total_analysis_time_millis: 10 };
    const end = await dial(
      MACHINE,
      { answering_machine_detection: "greeting_end", answering_machine_detection_config: config },
      slow,
    );
    const beep = await dial(
      MACHINE,
      { answering_machine_detection: "detect_beep", answering_machine_detection_config: config },
      slow,
    );
    expect(await settled(end, 4, slow)).toEqual([
      "call.initiated",
      "call.answered",
      "call.machine.detection.ended",
      "call.machine.greeting.ended",
    ]);
    expect(eventOf(end, "call.machine.greeting.ended", slow)?.data.payload.result).toBe("not_sure");
    // The wait ends 10 ms after the detection, long before the beep.
    expect(gap(end, "call.machine.detection.ended", "call.machine.greeting.ended", slow)).toBeLessThan(SLOW_MS);
    expect(await settled(beep, 3, slow)).toEqual(["call.initiated", "call.answered", "call.machine.detection.ended"]);
  });
});

describe("when detection does not run", () => {
  it("absent or `disabled`: no machine event", async () => {
    const absent = await dial(MACHINE);
    const disabled = await dial(MACHINE, { answering_machine_detection: "disabled" });
    for (const id of [absent, disabled]) expect(await settled(id, 2)).toEqual(["call.initiated", "call.answered"]);
  });

  it("a call that is not answered (busy, 0486) sends no machine event", async () => {
    const id = await dial("+12025550486", { answering_machine_detection: "greeting_end" });
    expect(await settled(id, 2)).toEqual(["call.initiated", "call.hangup"]);
  });

  it("hung up before the detection decided: no machine event ever comes", async () => {
    const id = await dial(MACHINE, { answering_machine_detection: "greeting_end" }, slow);
    await slow.receiver.waitFor(() => eventOf(id, "call.answered", slow) !== undefined, "call.answered");
    expect((await slow.call("POST", `/calls/${id}/actions/hangup`, {})).status).toBe(200);
    expect(await settled(id, 3, slow)).toEqual(["call.initiated", "call.answered", "call.hangup"]);
  });

  it("a repeated dial command_id places no second call and schedules no second detection", async () => {
    const body = { answering_machine_detection: "detect", command_id: "amd-once" };
    const id = await dial(MACHINE, body);
    expect(await dial(MACHINE, body)).toBe(id);
    expect(await settled(id, 3)).toEqual(["call.initiated", "call.answered", "call.machine.detection.ended"]);
  });
});

describe("options", () => {
  it.each(["machineDetectionMs", "machineGreetingMs", "recordingSavedDelayMs", "streamConnectTimeoutMs"])(
    "%s must be a number >= 0",
    async (name) => {
      await expect(startSimulator({ [name]: -1 })).rejects.toThrow(`${name} must be a number >= 0, got -1`);
    },
  );
});

describe("transfer", () => {
  it("answering_machine_detection on transfer runs on the new leg once it answers", async () => {
    const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: "amd" });
    const a = inbound.callControlId;
    expect((await call("POST", `/calls/${a}/actions/answer`, {})).status).toBe(200);
    const res = await call("POST", `/calls/${a}/actions/transfer`, {
      to: MACHINE,
      answering_machine_detection: "detect_beep",
    });
    expect(res.status).toBe(200);
    const leg = sim.calls.list().find((c) => c.callSessionId === inbound.callSessionId && c.callControlId !== a)!;
    expect(await settled(leg.callControlId, 5)).toEqual([
      "call.initiated",
      "call.answered",
      "call.bridged",
      "call.machine.detection.ended",
      "call.machine.greeting.ended",
    ]);
    expect(receiver.ofCall(a).filter((t) => t.startsWith("call.machine."))).toEqual([]);
    await call("POST", `/calls/${a}/actions/hangup`, {});
  });
});
