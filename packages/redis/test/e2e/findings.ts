// What an end-to-end run did, from the receivers' logs, the simulator's events and its delivery records: each
// handler run, events lost or handled twice, overlaps within a call, order inversions, wrong `late` flags. Shared
// by the end-to-end tests, the failover tests and the bench.
import type { LogRecord, ScenarioResult } from "./scenario.js";

const occMs = (iso: string) => Date.parse(iso); // the simulator stamps occurred_at to the millisecond

export interface Run {
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
export function runsOf(result: ScenarioResult): Run[] {
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

export interface Findings {
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
export function reordered(result: ScenarioResult, reorderWindowMs: number): number {
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

export function examine(result: ScenarioResult, reorderWindowMs: number): Findings {
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
export function callsArrivedOutOfOrder(result: ScenarioResult): number {
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
export function summarise(label: string, result: ScenarioResult, reorderWindowMs: number): void {
  const runs = runsOf(result);
  const copies = result.deliveries.filter((d) => d.copy === 1 && d.attempt === 1).length;
  const redelivered = result.deliveries.filter((d) => d.attempt > 1).length;
  console.log(
    `[e2e ${label}] ${result.emitted.length} events, ${result.deliveries.length} POSTs (${copies} duplicates, ` +
      `${redelivered} redeliveries), per receiver ${result.proxied.join("/")}; ${runs.length} handler runs, ` +
      `${runs.filter((r) => r.late).length} late, ${callsArrivedOutOfOrder(result)} calls arrived out of order, ` +
      `${reordered(result, reorderWindowMs)} pairs put back in order` +
      (result.killed ? `; receiver ${result.killed.instance} killed` : ""),
  );
}
