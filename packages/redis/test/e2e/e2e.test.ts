// End to end, as the issue asks: the simulator delivering as Telnyx does (25% duplicates, 4 of a call's
// deliveries at once, 0-30 ms jitter) -> a round-robin proxy on loopback -> receiver processes, each with a
// router on one Redis (or one process with memoryStore), driving 120 calls; one run SIGKILLs a receiver
// mid-run. Asserted from the receivers' logs, the simulator's events and its delivery records.
import { describe, expect, inject, it } from "vitest";
import { type LogRecord, runScenario, type ScenarioResult } from "./scenario.js";

const JITTER_MS = 30;
const CALLS = 120;
const occMs = (iso: string) => Date.parse(iso); // the simulator stamps occurred_at to the millisecond

interface Run {
  id: string;
  call: string;
  occ: number;
  inst: number;
  start: number;
  /** undefined: the handler never finished (its instance was killed during it). */
  end: number | undefined;
  late: boolean;
  done: boolean;
}

/** Every handler run, from the logs; `done` = its instance logged the event done (after the handler). */
function runsOf(result: ScenarioResult): Run[] {
  const key = (r: LogRecord) => `${r.inst} ${r.id}`;
  const ends = new Map<string, LogRecord>();
  const dones = new Set<string>();
  for (const r of result.records) {
    if (r.t === "end") ends.set(key(r), r);
    if (r.t === "done") dones.add(key(r));
  }
  return result.records
    .filter((r) => r.t === "start")
    .map((r) => ({
      id: r.id,
      call: r.call ?? "",
      occ: occMs(r.occ ?? ""),
      inst: r.inst,
      start: r.at,
      end: ends.get(key(r))?.at,
      late: r.late === true,
      done: dones.has(key(r)),
    }));
}

interface Findings {
  lost: string[];
  twice: string[];
  /** Handled again after the killed instance ran the handler but died before marking the event done. */
  crashWindow: string[];
  overlaps: string[];
  /**
   * An event handled after a later one of its call although it was pending before the later one's window
   * ended: what `reorderWindowMs` rules out.
   */
  inversions: string[];
  /** `late` not saying whether an event of the call that occurred later was handled before. */
  wrongLate: string[];
}

/**
 * Pairs of a call's events that arrived in the wrong order yet within the window (the earlier-occurred one
 * joined before the later one's window ended) and were handled in occurred_at order: what the window is for.
 */
function reordered(result: ScenarioResult, reorderWindowMs: number): number {
  const times = timesOf(result);
  const completed = runsOf(result).filter((r) => r.end !== undefined);
  let count = 0;
  for (const a of completed) {
    for (const b of completed) {
      if (a.call !== b.call || !(a.occ < b.occ) || !(times.arrived(a) > times.arrived(b))) continue;
      if (times.joined(a) <= times.arrived(b) + reorderWindowMs && a.start < b.start) count++;
    }
  }
  return count;
}

/** When the copy that ran (at `inst`, before `before`) joined its call, and when any copy of `id` arrived there. */
function timesOf(result: ScenarioResult) {
  const joined = new Map<string, number[]>();
  const arrived = new Map<string, number[]>();
  for (const r of result.records) {
    const map = r.t === "joined" ? joined : r.t === "arrive" ? arrived : undefined;
    if (map) map.set(`${r.inst} ${r.id}`, [...(map.get(`${r.inst} ${r.id}`) ?? []), r.at]);
  }
  return {
    /** The last join of `run` before it started. */
    joined: (run: Run) => Math.max(...(joined.get(`${run.inst} ${run.id}`) ?? []).filter((t) => t <= run.start)),
    /** The first arrival of a copy of `run`'s event at its instance. */
    arrived: (run: Run) => Math.min(...(arrived.get(`${run.inst} ${run.id}`) ?? [])),
  };
}

function examine(result: ScenarioResult, reorderWindowMs: number): Findings {
  const runs = runsOf(result);
  const times = timesOf(result);
  const killedAt = result.killed?.at;
  const byId = new Map<string, Run[]>();
  for (const run of runs) byId.set(run.id, [...(byId.get(run.id) ?? []), run]);
  const findings: Findings = { lost: [], twice: [], crashWindow: [], overlaps: [], inversions: [], wrongLate: [] };

  for (const event of result.emitted) {
    const completed = (byId.get(event.id) ?? []).filter((r) => r.end !== undefined).sort((a, b) => a.start - b.start);
    if (completed.length === 0) findings.lost.push(`${event.type} ${event.id}`);
    for (const earlier of completed.slice(0, -1)) {
      const killedBeforeDone = result.killed && earlier.inst === result.killed.instance && !earlier.done;
      (killedBeforeDone ? findings.crashWindow : findings.twice).push(`${event.type} ${event.id}`);
    }
  }

  const byCall = new Map<string, Run[]>();
  for (const run of runs) byCall.set(run.call, [...(byCall.get(run.call) ?? []), run]);
  for (const [call, list] of byCall) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) {
      const previous = list[i - 1]!;
      const previousEnd = previous.end ?? killedAt ?? Number.POSITIVE_INFINITY;
      if (list[i]!.start < previousEnd) findings.overlaps.push(`${call}: ${previous.id} / ${list[i]!.id}`);
    }
    const completed = list.filter((r) => r.end !== undefined);
    for (let i = 0; i < completed.length; i++) {
      const run = completed[i]!;
      const newer = completed.slice(0, i).filter((r) => r.occ > run.occ && r.id !== run.id);
      for (const overtaker of newer) {
        const gap = times.joined(run) - (times.arrived(overtaker) + reorderWindowMs);
        if (gap <= 0) {
          findings.inversions.push(
            `${call}: ${overtaker.id} before ${run.id}, joined ${(-gap).toFixed(1)} ms inside the window`,
          );
        }
      }
      // late: an event of the call that occurred later was already handled. A crash-window run may have ended
      // its handler without leaving the call, so either reading is accepted for it.
      const newerLeft = newer.some((r) => r.done);
      if (run.late !== newer.length > 0 && run.late !== newerLeft)
        findings.wrongLate.push(`${call}: ${run.id} late=${run.late}`);
    }
  }
  return findings;
}

/** Calls whose events reached a receiver in an order other than occurred_at: the run did test ordering. */
function callsArrivedOutOfOrder(result: ScenarioResult): number {
  const callOf = new Map(result.emitted.map((e) => [e.id, e.call]));
  const firstArrival = new Map<string, LogRecord>();
  for (const r of result.records) {
    if (r.t === "arrive" && !firstArrival.has(r.id)) firstArrival.set(r.id, r);
  }
  const byCall = new Map<string, LogRecord[]>();
  for (const r of firstArrival.values()) {
    const call = callOf.get(r.id) ?? "";
    byCall.set(call, [...(byCall.get(call) ?? []), r]);
  }
  let count = 0;
  for (const list of byCall.values()) {
    list.sort((a, b) => a.at - b.at);
    if (list.some((r, i) => i > 0 && occMs(r.occ ?? "") < occMs(list[i - 1]!.occ ?? ""))) count++;
  }
  return count;
}

/** One line per run, for the log: what the run exercised. */
function summarise(label: string, result: ScenarioResult): void {
  const runs = runsOf(result);
  const copies = result.deliveries.filter((d) => d.copy === 1 && d.attempt === 1).length;
  const redelivered = result.deliveries.filter((d) => d.attempt > 1).length;
  console.log(
    `[e2e ${label}] ${result.emitted.length} events, ${result.deliveries.length} POSTs (${copies} duplicates, ` +
      `${redelivered} redeliveries), per receiver ${result.proxied.join("/")}; ${runs.length} handler runs, ` +
      `${runs.filter((r) => r.late).length} late, ${callsArrivedOutOfOrder(result)} calls arrived out of order, ` +
      `${reordered(result, 2 * JITTER_MS)} pairs put back in order` +
      (result.killed ? `; receiver ${result.killed.instance} killed` : ""),
  );
}

function expectDelivery(result: ScenarioResult): void {
  const accepted = new Set(result.deliveries.filter((d) => d.ok).map((d) => d.eventId));
  const givenUp = result.deliveries.filter((d) => d.final && !d.ok);
  expect(givenUp.map((d) => `${d.eventType} ${d.eventId}: ${d.status ?? d.error}`)).toEqual([]);
  expect(result.emitted.filter((e) => !accepted.has(e.id))).toEqual([]);
  // Duplicates were sent and accepted, without a second handler run (checked by examine).
  expect(result.deliveries.some((d) => d.copy === 1 && d.ok)).toBe(true);
  const handlerRuns = result.records.filter((r) => r.t === "end").length;
  expect(result.deliveries.filter((d) => d.ok).length).toBeGreaterThan(handlerRuns);
}

describe("end to end: realistic delivery, a round-robin proxy, receiver processes", () => {
  it("3 receivers on one Redis: every event handled once, no overlap in a call, in occurred_at order within W = 2 x jitter", {
    timeout: 120_000,
  }, async () => {
    const result = await runScenario({
      store: "redis",
      redisUrl: inject("redisUrl"),
      receivers: 3,
      calls: CALLS,
      jitterMs: JITTER_MS,
      reorderWindowMs: 2 * JITTER_MS,
      leaseMs: 2000,
      seed: 7,
    });
    summarise("3 x redis", result);
    expect(result.emitted.length).toBeGreaterThanOrEqual(CALLS * 5);
    expect(result.proxied.every((n) => n > 0)).toBe(true);
    expectDelivery(result);
    expect(callsArrivedOutOfOrder(result)).toBeGreaterThan(0);
    expect(reordered(result, 2 * JITTER_MS)).toBeGreaterThan(0);
    expect(examine(result, 2 * JITTER_MS)).toEqual({
      lost: [],
      twice: [],
      crashWindow: [],
      overlaps: [],
      inversions: [],
      wrongLate: [],
    });
  });

  it("3 receivers on one Redis, one killed with SIGKILL mid-run: nothing lost, nothing handled twice, no overlap", {
    timeout: 120_000,
  }, async () => {
    const result = await runScenario({
      store: "redis",
      redisUrl: inject("redisUrl"),
      receivers: 3,
      calls: CALLS,
      killAt: 0.35,
      jitterMs: JITTER_MS,
      reorderWindowMs: 2 * JITTER_MS,
      leaseMs: 1000,
      seed: 11,
    });
    summarise("3 x redis, SIGKILL", result);
    expect(result.killed).toBeDefined();
    expectDelivery(result);
    const findings = examine(result, 2 * JITTER_MS);
    expect(findings.lost).toEqual([]);
    expect(findings.twice).toEqual([]);
    expect(findings.overlaps).toEqual([]);
    expect(findings.wrongLate).toEqual([]);
    expect(findings.inversions).toEqual([]);
    // A crash between a handler's end and its done mark (one store round trip) is the one window where an
    // event runs twice; at most the handlers in flight on the killed receiver can be in it.
    expect(findings.crashWindow.length).toBeLessThanOrEqual(3);
    // The killed receiver's unfinished handlers were handled elsewhere.
    const unfinished = runsOf(result).filter((r) => r.end === undefined);
    expect(unfinished.every((r) => r.inst === 1)).toBe(true);
  });

  it("1 process with memoryStore: the same guarantees", { timeout: 120_000 }, async () => {
    const result = await runScenario({
      store: "memory",
      receivers: 1,
      calls: CALLS,
      jitterMs: JITTER_MS,
      reorderWindowMs: 2 * JITTER_MS,
      leaseMs: 2000,
      seed: 3,
    });
    summarise("1 x memory", result);
    expectDelivery(result);
    expect(callsArrivedOutOfOrder(result)).toBeGreaterThan(0);
    expect(reordered(result, 2 * JITTER_MS)).toBeGreaterThan(0);
    expect(examine(result, 2 * JITTER_MS)).toEqual({
      lost: [],
      twice: [],
      crashWindow: [],
      overlaps: [],
      inversions: [],
      wrongLate: [],
    });
  });
});
