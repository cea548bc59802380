// The router on memoryStore under a burst: C calls x 5 events arriving together, handed to `router.handle`
// (no HTTP: what is measured is the router and its store, not parsing or verifying). Each event's handler
// awaits a 1 ms timer (one command sent), so a call's later events wait for the one before, and every
// delivery of a call is queued behind its call's earlier ones. Measured for 2,000 and 1,000 calls, side by
// side in interleaved rounds (medians): the longest event-loop stall, the time to handle them all, and how
// many times deliveries asked the store to enter their call (first tries, wake-ups, backstop polls).
// Work linear in the deliveries shows as ~2x from 1,000 to 2,000 calls; waking every waiter on every change
// (before) was quadratic: 1,000 x 5 stalled the loop for seconds and 2,000 x 5 had most deliveries rejected.
//
// Arrivals: bursts of 100 deliveries per event-loop turn (a server reads a burst of requests per turn); and,
// as a harsher case, all of them in one turn, whose stall is the synchronous start of every delivery.
// Last, the store alone at its bound: the cost of a write must not grow with the calls in progress.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { memoryStore, type WebhookEvent, type WebhookStore, Webhooks } from "@telnyx-voice/webhooks";
import { generateKeyPair } from "@telnyx-voice/webhooks/testing";
import { median } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const EVENTS_PER_CALL = 5;
const ROUNDS = 3;
const STALL_TARGET_MS = 100;

interface Result {
  stallMs: number;
  wallMs: number;
  enterCalls: number;
}

function load(calls: number, run: string): WebhookEvent[] {
  const base = Date.UTC(2026, 6, 16);
  const events: WebhookEvent[] = [];
  for (let c = 0; c < calls; c++) {
    for (let e = 0; e < EVENTS_PER_CALL; e++) {
      events.push({
        data: {
          record_type: "event",
          event_type: "call.answered",
          id: `scale-${run}-${c}-${e}`,
          occurred_at: new Date(base + e).toISOString(),
          payload: { call_control_id: `v3:scale-${run}-${c}`, connection_id: "1" },
        },
        meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
      } as unknown as WebhookEvent);
    }
  }
  return events;
}

async function drive(publicKey: string, calls: number, burst: number, run: string): Promise<Result> {
  const inner = memoryStore();
  let enterCalls = 0;
  // Counts enterCall, passing the store's own promise through (no extra ticks that could delay a wake-up).
  const store: WebhookStore = Object.assign(Object.create(inner) as WebhookStore, {
    enterCall: (...args: Parameters<WebhookStore["enterCall"]>) => {
      enterCalls++;
      return inner.enterCall(...args);
    },
  });
  const router = new Webhooks({ publicKey })
    .router({ store })
    .otherwise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)));
  const events = load(calls, run);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const start = performance.now();
  const rejected = await new Promise<number>((resolve) => {
    let left = events.length;
    let failed = 0;
    const settle = () => {
      if (--left === 0) resolve(failed);
    };
    let next = 0;
    const arrive = () => {
      for (const event of events.slice(next, next + burst)) {
        router.handle(event).then(settle, () => {
          failed++;
          settle();
        });
      }
      next += burst;
      if (next < events.length) setImmediate(arrive);
    };
    setImmediate(arrive);
  });
  const wallMs = performance.now() - start;
  delay.disable();
  if (rejected > 0) throw new Error(`${calls} calls x ${EVENTS_PER_CALL}: ${rejected} deliveries were rejected`);
  return { stallMs: delay.max / 1e6, wallMs, enterCalls };
}

/**
 * memoryStore at its bound: microseconds per event (claim, join, complete, leave of a new call) once
 * `maxEntries` is reached, with `busy` calls in progress. Finished calls are dropped first, taken from a list
 * of them: finding them by scanning every call would pass each call in progress on every write.
 */
async function atTheBound(busy: number, run: string): Promise<number> {
  const store = memoryStore({ maxEntries: 10_000, onWarning: () => {} });
  for (let i = 0; i < busy; i++) {
    const turn = { callKey: `busy-${run}-${i}`, eventId: `busy-${run}-${i}`, owner: "o", occurredAtMs: 1 };
    await store.claimEvent(turn.eventId, "o", 60_000);
    await store.joinCall(turn, 60_000, 3_600_000);
  }
  const events = 20_000;
  const start = performance.now();
  for (let i = 0; i < events; i++) {
    const turn = { callKey: `call-${run}-${i}`, eventId: `event-${run}-${i}`, owner: "o", occurredAtMs: 1 };
    await store.claimEvent(turn.eventId, "o", 60_000);
    await store.joinCall(turn, 60_000, 3_600_000);
    await store.completeEvent(turn.eventId, "o", 3_600_000);
    await store.leaveCall(turn, true, 3_600_000);
  }
  return ((performance.now() - start) / events) * 1000;
}

export async function run(): Promise<BenchRow[]> {
  const { publicKey } = await generateKeyPair();
  const rows: BenchRow[] = [];
  await atTheBound(100, "warm");
  const bound: Record<number, number[]> = { 100: [], 2000: [] };
  for (let round = 0; round < ROUNDS * 2; round++) {
    for (const busy of round % 2 ? [2000, 100] : [100, 2000]) bound[busy]!.push(await atTheBound(busy, `${round}`));
  }
  rows.push({
    metric: "memoryStore at maxEntries (10,000), 2,000 calls in progress: time per new call's event (~1x: not per call in progress)",
    ours: `${median(bound[2000]!).toFixed(1)} us`,
    baseline: `100 calls in progress: ${median(bound[100]!).toFixed(1)} us`,
    ratio: median(bound[2000]!) / median(bound[100]!),
    better: "lower",
  });
  for (const [arrival, burst] of [
    ["bursts of 100 per turn", 100],
    ["all in one turn", Number.POSITIVE_INFINITY],
  ] as const) {
    // Warm-up: JIT.
    await drive(publicKey, 200, burst, `warm-${burst}`);
    const samples: Record<"big" | "small", Result[]> = { big: [], small: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? (["small", "big"] as const) : (["big", "small"] as const);
      for (const size of order) {
        samples[size].push(await drive(publicKey, size === "big" ? 2000 : 1000, burst, `${size}-${burst}-${round}`));
      }
    }
    const figure = (size: "big" | "small", key: keyof Result) => median(samples[size].map((r) => r[key]));
    const what = `router on memoryStore, 2,000 calls x ${EVENTS_PER_CALL} events arriving together (${arrival})`;
    const stall = figure("big", "stallMs");
    const stallRow: BenchRow = {
      metric: `${what}: longest event-loop stall`,
      ours: `${stall.toFixed(1)} ms`,
      baseline: `1,000 calls: ${figure("small", "stallMs").toFixed(1)} ms`,
      ratio: stall / figure("small", "stallMs"),
      better: "lower",
    };
    // The target is for deliveries arriving as a server receives them; a single turn holding all 10,000 is
    // bounded by starting them (linear), and shown for its scaling only.
    if (burst === 100) Object.assign(stallRow, { target: `stall < ${STALL_TARGET_MS} ms`, pass: stall < STALL_TARGET_MS });
    rows.push(
      stallRow,
      {
        metric: `${what}: time to handle all (~2x is linear)`,
        ours: `${figure("big", "wallMs").toFixed(0)} ms`,
        baseline: `1,000 calls: ${figure("small", "wallMs").toFixed(0)} ms`,
        ratio: figure("big", "wallMs") / figure("small", "wallMs"),
        better: "lower",
      },
      {
        metric: `${what}: enterCall operations (~2x is linear)`,
        ours: `${Math.round(figure("big", "enterCalls")).toLocaleString("en-US")}`,
        baseline: `1,000 calls: ${Math.round(figure("small", "enterCalls")).toLocaleString("en-US")}`,
        ratio: figure("big", "enterCalls") / figure("small", "enterCalls"),
        better: "lower",
      },
    );
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  printTable("Router on memoryStore at scale", await run());
}
