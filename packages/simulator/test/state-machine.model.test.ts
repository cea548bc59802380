// The call state machine under generated command sequences (fast-check's model-based `commands`): dials with every
// outcome, inbound calls, answer, hangup from either end, bridge (with and without park_after_unbridge), transfer,
// and time passing, run on a manual clock so thousands of runs take no wall time. After every step the invariants
// hold: a bridged call's peer is alive and bridged back to it; a call that ends unbridges its peer; a call's
// transfer leg is still ringing and points back at it; no call is told `call.bridged` twice without being
// unbridged in between; each ended call said `call.hangup` once; ended calls are forgotten after the retention.
// Recordings and answering machine detection ride along: every recording started is saved exactly once before its
// call is forgotten, no machine detection event follows a call's hangup, and nothing is emitted for a forgotten call.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runAction } from "../src/calls/commands.js";
import { CallEngine } from "../src/calls/state-machine.js";
import type { CallRecord } from "../src/calls/types.js";
import { SimulatorHttpError } from "../src/errors.js";
import { ManualClock } from "./manual-clock.js";

const RING_MS = 100;
const RETENTION_MS = 1000;
/** Numbers whose far end answers, is busy, does not answer, or is an answering machine (README: outcomes by number). */
const NUMBERS = ["+12025550111", "+12025550486", "+12025550408", "+12025550700"];
/** Mostly answered: bridges and transfers need answered calls. */
const number = fc.constantFrom(NUMBERS[0]!, NUMBERS[0]!, NUMBERS[1]!, NUMBERS[2]!, NUMBERS[3]!);
const MACHINE_DETECTION = {
  mode: "greeting_end",
  totalAnalysisMs: 3500,
  greetingDurationMs: 3500,
  greetingTotalAnalysisMs: 5000,
} as const;

class Sim {
  readonly clock = new ManualClock();
  readonly endedAt = new Map<string, number>();
  readonly hangups = new Map<string, number>();
  /** Calls told `call.bridged` and not seen unbridged since. */
  readonly bridgedMark = new Set<string>();
  readonly violations: string[] = [];
  readonly engine: CallEngine;
  /** Recordings started per call (record_start accepted), to be saved once each before the call is forgotten. */
  readonly recordings = new Map<string, number>();
  readonly forgotten = new Set<string>();

  constructor() {
    this.engine = new CallEngine(
      {
        answerDelayMs: RING_MS,
        mediaDurationMs: 50,
        maxGatherWaitMs: 500,
        inboundRingTimeoutMs: 5000,
        endedCallRetentionMs: RETENTION_MS,
        machineDetectionMs: 50,
        machineGreetingMs: 100,
        recordingSavedDelayMs: 50,
        streamConnectTimeoutMs: 1000,
      },
      {
        onEvent: (call, event) => {
          const type = event.data.event_type;
          if (this.forgotten.has(call.callControlId))
            this.violations.push(`${type} for forgotten ${call.callControlId}`);
          if (type.startsWith("call.machine.") && this.hangups.has(call.callControlId)) {
            this.violations.push(`${type} after the hangup of ${call.callControlId}`);
          }
          if (type === "call.hangup") {
            this.endedAt.set(call.callControlId, this.clock.now);
            this.hangups.set(call.callControlId, (this.hangups.get(call.callControlId) ?? 0) + 1);
          }
          if (type === "call.bridged") {
            if (this.bridgedMark.has(call.callControlId)) {
              this.violations.push(`${call.callControlId} got call.bridged twice without being unbridged`);
            }
            this.bridgedMark.add(call.callControlId);
          }
        },
        onForget: (call) => {
          this.forgotten.add(call.callControlId);
          const saved = call.events.filter((e) => e.data.event_type === "call.recording.saved").length;
          const started = this.recordings.get(call.callControlId) ?? 0;
          if (saved !== started) {
            this.violations.push(`${call.callControlId} was forgotten with ${started} recordings and ${saved} saved`);
          }
        },
      },
      this.clock,
    );
  }

  /** A call by index among the live ones (ended calls only refuse commands), or any kept call for `any`. */
  pick(index: number, which: "live" | "any" = "live"): CallRecord | undefined {
    const calls = [...this.engine.calls.values()].filter((c) => which === "any" || c.state !== "ended");
    return calls.length === 0 ? undefined : calls[index % calls.length];
  }

  /** A command the simulator may refuse (a 4xx): refusals are fine, anything else is a bug. */
  command(call: CallRecord | undefined, action: string, body: Record<string, unknown> = {}): void {
    if (!call) return;
    try {
      runAction({ engine: this.engine }, action, call.callControlId, body);
    } catch (error) {
      if (!(error instanceof SimulatorHttpError) || error.status >= 500) throw error;
    }
  }

  check(): void {
    const { calls } = this.engine;
    const fail = (message: string) => this.violations.push(message);
    for (const c of calls.values()) {
      const id = c.callControlId;
      if ((c.state === "bridged") !== (c.bridgedWith !== undefined))
        fail(`${id} is ${c.state} with peer ${c.bridgedWith}`);
      if (c.bridgedWith) {
        const peer = calls.get(c.bridgedWith);
        if (!peer) fail(`${id} is bridged to a forgotten call`);
        else if (peer.state !== "bridged" || peer.bridgedWith !== id) fail(`${id}'s peer is not bridged back`);
      }
      if (c.state === "ended" && (c.bridgedWith || c.transferLeg || c.transferOf))
        fail(`ended ${id} still refers to calls`);
      if (c.transferLeg) {
        const leg = calls.get(c.transferLeg);
        if (leg?.state !== "initiated" || leg.transferOf !== id) fail(`${id}'s transfer leg is not ringing for it`);
      }
      if (c.transferOf) {
        const originator = calls.get(c.transferOf);
        if (!originator || originator.transferLeg !== id || c.state !== "initiated")
          fail(`${id} is an orphan transfer leg`);
      }
      const hangups = this.hangups.get(id) ?? 0;
      if (hangups !== (c.state === "ended" ? 1 : 0)) fail(`${id} (${c.state}) said call.hangup ${hangups} times`);
      const ended = this.endedAt.get(id);
      if (ended !== undefined && this.clock.now - ended >= RETENTION_MS) fail(`${id} outlived its retention`);
      if (c.state !== "bridged") this.bridgedMark.delete(id);
    }
    for (const id of this.bridgedMark) if (!calls.has(id)) this.bridgedMark.delete(id);
  }
}

type Command = fc.Command<object, Sim>;
const step = (label: string, run: (sim: Sim) => void): Command => ({
  check: () => true,
  run: (_model, sim) => {
    run(sim);
    sim.check();
    expect(sim.violations, `after ${label}`).toEqual([]);
  },
  toString: () => label,
});

// Small indexes: commands land on the same few calls, where bridges and transfers meet.
const index = fc.nat(5);
const dial = fc.tuple(number, fc.boolean()).map(([to, amd]) =>
  step(`dial ${to}${amd ? " with machine detection" : ""}`, (sim) => {
    const onAnswer = amd ? { machineDetection: MACHINE_DETECTION } : undefined;
    sim.engine.create({
      direction: "outgoing",
      from: "+12025550100",
      to,
      connectionId: "c",
      webhookUrl: "http://h/",
      onAnswer,
    });
  }),
);
const inbound = fc.constant(
  step("inbound call", (sim) => {
    sim.engine.create({
      direction: "incoming",
      from: "+12025550142",
      to: "+12025550100",
      connectionId: "c",
      webhookUrl: "http://h/",
    });
  }),
);
const answer = index.map((i) => step(`answer #${i}`, (sim) => sim.command(sim.pick(i), "answer")));
const hangup = index.map((i) => step(`hangup #${i}`, (sim) => sim.command(sim.pick(i, "any"), "hangup")));
const farEndHangup = index.map((i) =>
  step(`far end hangs up #${i}`, (sim) => {
    const call = sim.pick(i);
    if (call && call.state !== "ended") sim.engine.handle(call).hangup();
  }),
);
const bridge = fc.tuple(index, index, fc.boolean()).map(([i, j, park]) =>
  step(`bridge #${i} with #${j}${park ? " (park self)" : ""}`, (sim) => {
    const other = sim.pick(j);
    if (!other) return;
    const body = { call_control_id: other.callControlId, ...(park ? { park_after_unbridge: "self" } : {}) };
    sim.command(sim.pick(i), "bridge", body);
  }),
);
const transfer = fc
  .tuple(index, number)
  .map(([i, to]) => step(`transfer #${i} to ${to}`, (sim) => sim.command(sim.pick(i), "transfer", { to })));
const record = fc.tuple(index, fc.constantFrom(0, 1)).map(([i, maxLength]) =>
  step(`record_start #${i}${maxLength ? " (max_length 1)" : ""}`, (sim) => {
    const call = sim.pick(i);
    const before = call?.recording;
    sim.command(call, "record_start", { format: "mp3", channels: "single", max_length: maxLength });
    if (call?.recording && call.recording !== before) {
      sim.recordings.set(call.callControlId, (sim.recordings.get(call.callControlId) ?? 0) + 1);
    }
  }),
);
const recordStop = index.map((i) => step(`record_stop #${i}`, (sim) => sim.command(sim.pick(i), "record_stop")));
// Short steps keep transfers ringing while other commands come; ring time answers; retention forgets.
const tick = fc
  .constantFrom(10, 10, RING_MS, RETENTION_MS)
  .map((ms) => step(`${ms} ms pass`, (sim) => sim.clock.advance(ms)));
// Weighted by repetition: bridges and transfers are where the invariants are at risk; time passing (what answers,
// rings out and forgets calls) comes as often as all the commands together.
const weighted = [
  dial,
  dial,
  inbound,
  answer,
  hangup,
  farEndHangup,
  bridge,
  bridge,
  bridge,
  transfer,
  transfer,
  record,
  recordStop,
];
const commands = [...weighted, ...weighted.map(() => tick)];

describe("the call state machine under generated command sequences", () => {
  it("keeps its invariants after every step, over thousands of runs", () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60, size: "medium" }), (cmds) => {
        fc.modelRun(() => ({ model: {}, real: new Sim() }), cmds);
      }),
      { numRuns: 3000 },
    );
  });

  it("the issue's case: a bridge while a transfer rings is refused, and the transfer's answer bridges the call once", () => {
    const sim = new Sim();
    const dial = () =>
      sim.engine.create({
        direction: "outgoing",
        from: "+12025550100",
        to: NUMBERS[0]!,
        connectionId: "c",
        webhookUrl: "http://h/",
      });
    const a = dial();
    const b = dial();
    sim.clock.advance(RING_MS);
    expect([a.state, b.state]).toEqual(["answered", "answered"]);
    sim.command(a, "transfer", { to: NUMBERS[0] });
    const leg = sim.engine.calls.get(a.transferLeg ?? "");
    expect(leg?.state).toBe("initiated");
    expect(() =>
      runAction({ engine: sim.engine }, "bridge", a.callControlId, { call_control_id: b.callControlId }),
    ).toThrow(/has a transfer ringing/);
    expect(() =>
      runAction({ engine: sim.engine }, "bridge", b.callControlId, { call_control_id: a.callControlId }),
    ).toThrow(/has a transfer ringing/);
    sim.clock.advance(RING_MS);
    expect([a.bridgedWith, leg?.bridgedWith, b.state]).toEqual([leg?.callControlId, a.callControlId, "answered"]);
    expect(a.events.filter((e) => e.data.event_type === "call.bridged")).toHaveLength(1);
    sim.engine.handle(leg!).hangup();
    expect([a.state, b.state, b.bridgedWith]).toEqual(["ended", "answered", undefined]);
    // B is free: it can be bridged or transferred again.
    sim.command(b, "transfer", { to: NUMBERS[0] });
    expect(b.transferLeg).toBeDefined();
    sim.check();
    expect(sim.violations).toEqual([]);
  });

  it("a transfer leg that the far end hangs up while ringing frees its call to transfer again", () => {
    const sim = new Sim();
    const a = sim.engine.create({
      direction: "outgoing",
      from: "+12025550100",
      to: NUMBERS[0]!,
      connectionId: "c",
      webhookUrl: "http://h/",
    });
    sim.clock.advance(RING_MS);
    sim.command(a, "transfer", { to: NUMBERS[0] });
    const leg = sim.engine.calls.get(a.transferLeg ?? "")!;
    sim.engine.handle(leg).hangup("call_rejected");
    expect(a.transferLeg).toBeUndefined();
    sim.command(a, "transfer", { to: NUMBERS[0] });
    expect(a.transferLeg).toBeDefined();
  });

  it("an answered call is hung up with time_limit when its time_limit_secs is over", () => {
    const sim = new Sim();
    const a = sim.engine.create({
      direction: "outgoing",
      from: "+12025550100",
      to: NUMBERS[0]!,
      connectionId: "c",
      webhookUrl: "http://h/",
      timeLimitSecs: 30,
    });
    sim.clock.advance(RING_MS);
    sim.clock.advance(29_999);
    expect(a.state).toBe("answered");
    sim.clock.advance(1);
    expect([a.state, a.hangupCause]).toEqual(["ended", "time_limit"]);
  });
});

describe("nothing outlives a forgotten call", () => {
  it("once calls have ended and their retention has passed, no timer is pending (none holds a call)", () => {
    const sim = new Sim();
    const spec = { from: "+12025550100", connectionId: "c", webhookUrl: "http://h/" };
    // Answered by a machine, with detection under way and a recording with limits when it hangs up.
    const answered = sim.engine.create({
      ...spec,
      direction: "outgoing",
      to: NUMBERS[3]!,
      onAnswer: { machineDetection: MACHINE_DETECTION },
    });
    const ringing = sim.engine.create({ ...spec, direction: "outgoing", to: NUMBERS[0]! });
    const inbound = sim.engine.create({ ...spec, direction: "incoming", to: "+12025550100" });
    sim.clock.advance(RING_MS);
    expect(answered.state).toBe("answered");
    sim.command(answered, "speak", { payload: "hi", voice: "female" });
    sim.command(answered, "record_start", { format: "mp3", channels: "single", max_length: 60, timeout_secs: 30 });
    sim.engine.handle(answered).hangup();
    sim.engine.handle(inbound).hangup();
    const later = sim.engine.create({ ...spec, direction: "outgoing", to: NUMBERS[0]! });
    sim.engine.handle(later).hangup();
    expect([ringing.state]).toEqual(["answered"]);
    sim.engine.handle(ringing).hangup();
    sim.clock.advance(RETENTION_MS);
    expect(sim.engine.calls.size).toBe(0);
    expect(sim.clock.size).toBe(0);
  });
});
