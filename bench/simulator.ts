// The simulator under load: 200 concurrent calls through dial -> call.answered -> speak -> call.speak.ended
// -> hangup, driven by @telnyx-voice/client, every webhook verified by @telnyx-voice/webhooks' nodeHandler.
// Checks that no webhook is lost or duplicated, and reports calls/s and p50/p95 command latency. A third run turns
// on delivery as Telnyx does it (duplicates, concurrency, jitter) and checks every event still arrives, verified.
// Baselines are measured in the same run: the concurrent rate against one-call-at-a-time, and p95 against p50.
// The concurrent run is done twice: with the simulator on the bench's own event loop (client, simulator and
// receiver in one thread) and on its own thread, as it runs in real use. On one loop, the 200 dials' new
// connections wait in the accept queue: libuv accepts one connection per loop turn (libuv#3696, Node 20+), and
// turns are long when one thread does everything, so the last dials waited seconds: that was the p95.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Telnyx } from "@telnyx-voice/client";
import { type DeliveryOptions, startSimulator } from "@telnyx-voice/simulator";
import { type WebhookEvent, Webhooks } from "@telnyx-voice/webhooks";
import { type BenchRow, printTable } from "./lib/table.ts";
import { run as memoryRows } from "./simulator-memory.ts";
import { startSimulatorThread } from "./simulator-thread.ts";

const CONCURRENT_CALLS = 200;
const SEQUENTIAL_CALLS = 20;
const EVENTS_PER_CALL = ["call.initiated", "call.answered", "call.speak.started", "call.speak.ended", "call.hangup"];
// Ring and speech time inside the simulator: small, so the numbers measure the stack rather than sleeps.
const TIMING = { answerDelayMs: 20, mediaDurationMs: 20 };

interface Waiter {
  type: string;
  resolve: () => void;
}

type Where = "same thread" | "own thread";

/** Delivery as Telnyx does it, for the realistic run: duplicates, several at once per call, events overtaking. */
const REALISTIC: DeliveryOptions = { duplicateRate: 0.2, concurrency: 4, jitterMs: 30, seed: 42 };

/** The simulator where the run wants it, behind the few calls the bench makes. */
async function simulatorIn(where: Where, delivery?: DeliveryOptions) {
  const options = { apiKey: "KEY_bench", ...TIMING, redelivery: { maxAttempts: 5, baseDelayMs: 50 }, delivery };
  if (where === "own thread") return { ...(await startSimulatorThread(options)), local: undefined };
  const sim = await startSimulator(options);
  return {
    url: sim.url,
    publicKey: sim.publicKey,
    idle: async () => {
      await sim.idle();
      return { failedDeliveries: sim.deliveries.filter((d) => d.final && !d.ok).length };
    },
    stop: () => sim.stop(),
    /** The simulator itself, when it runs on this thread: its events and delivery records. */
    local: sim,
  };
}

async function harness(where: Where, delivery?: DeliveryOptions) {
  const sim = await simulatorIn(where, delivery);
  const telnyx = new Telnyx({ apiKey: "KEY_bench", baseURL: sim.url, maxRetries: 0 });
  const webhooks = new Webhooks({ publicKey: sim.publicKey });
  const received: WebhookEvent[] = [];
  let verificationFailures = 0;
  const waiters = new Map<string, Waiter[]>();
  const seen = new Map<string, Set<string>>();
  const server = createServer(
    webhooks.nodeHandler((event) => {
      received.push(event);
      const id = (event.data.payload as { call_control_id?: string }).call_control_id ?? "";
      const types = seen.get(id) ?? new Set<string>();
      types.add(event.data.event_type);
      seen.set(id, types);
      const list = waiters.get(id) ?? [];
      for (const w of list.filter((x) => x.type === event.data.event_type)) w.resolve();
      waiters.set(id, list.filter((x) => x.type !== event.data.event_type));
    }),
  );
  server.on("request", (_req, res) => res.on("finish", () => res.statusCode === 400 && verificationFailures++));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;

  const waitFor = (id: string, type: string) =>
    new Promise<void>((resolve) => {
      if (seen.get(id)?.has(type)) return resolve();
      waiters.set(id, [...(waiters.get(id) ?? []), { type, resolve }]);
    });

  const latencies: number[] = [];
  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await fn();
    latencies.push(performance.now() - t0);
    return result;
  };

  async function oneCall(i: number): Promise<void> {
    const res = await timed(() =>
      telnyx.calls.dial({ connection_id: "bench", from: "+12025550100", to: `+1202555${String(1000 + (i % 8000)).padStart(4, "0")}`, webhook_url: url }),
    );
    const id = res.data.call_control_id;
    await waitFor(id, "call.answered");
    await timed(() => telnyx.calls.actions.speak(id, { payload: "Benchmark", voice: "female" }));
    await waitFor(id, "call.speak.ended");
    await timed(() => telnyx.calls.actions.hangup(id));
    await waitFor(id, "call.hangup");
  }

  return {
    sim,
    received,
    latencies,
    oneCall,
    verificationFailures: () => verificationFailures,
    close: async () => {
      await sim.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function concurrent(where: Where) {
  const h = await harness(where);
  // One untimed call first: both runs start with compiled validators and a warm JIT (the sequential baseline
  // did that for the same-thread run; the own-thread simulator is a fresh module instance).
  await h.oneCall(CONCURRENT_CALLS);
  h.latencies.length = 0;
  h.received.length = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT_CALLS }, (_, i) => h.oneCall(i)));
  const seconds = (performance.now() - start) / 1000;
  const { failedDeliveries } = await h.sim.idle();

  // None lost, none duplicated: every call got each expected event exactly once (first attempts only count).
  const expected = CONCURRENT_CALLS * EVENTS_PER_CALL.length;
  const ids = h.received.map((e) => e.data.id);
  const duplicates = ids.length - new Set(ids).size;
  const perCall = new Map<string, string[]>();
  for (const e of h.received) {
    const id = (e.data.payload as { call_control_id?: string }).call_control_id ?? "";
    perCall.set(id, [...(perCall.get(id) ?? []), e.data.event_type]);
  }
  const complete = [...perCall.values()].filter((types) => types.join() === EVENTS_PER_CALL.join()).length;
  const lost = expected - new Set(ids).size;
  await h.close();
  if (lost !== 0 || duplicates !== 0 || complete !== CONCURRENT_CALLS || failedDeliveries !== 0 || h.verificationFailures() !== 0) {
    throw new Error(
      `${where}: webhooks lost=${lost} duplicated=${duplicates} calls in order=${complete}/${CONCURRENT_CALLS} failed deliveries=${failedDeliveries} unverified=${h.verificationFailures()}`,
    );
  }
  return {
    rate: CONCURRENT_CALLS / seconds,
    p50: percentile(h.latencies, 50),
    p95: percentile(h.latencies, 95),
    commands: h.latencies.length,
    expected,
    delivered: expected - lost - duplicates,
  };
}

/**
 * 200 call flows with delivery as Telnyx does it: every event must still reach the app, each copy verified, and
 * the run must really have been rough (duplicates delivered, a call's events arriving out of order).
 */
async function realistic() {
  const h = await harness("same thread", REALISTIC);
  const sim = h.sim.local!;
  await h.oneCall(CONCURRENT_CALLS);
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT_CALLS }, (_, i) => h.oneCall(i)));
  const seconds = (performance.now() - start) / 1000;
  const { failedDeliveries } = await h.sim.idle();
  const emitted = sim.events.map((e) => e.event.data.id);
  const receivedIds = new Set(h.received.map((e) => e.data.id));
  const missing = emitted.filter((id) => !receivedIds.has(id)).length;
  const duplicates = h.received.length - receivedIds.size;
  const posts = sim.deliveries.length;
  // Calls whose events arrived in another order than they were emitted (first arrival of each event counts).
  const emittedOrder = new Map(sim.events.map((e, i) => [e.event.data.id, i]));
  const firstArrivals = new Map<string, number[]>();
  const counted = new Set<string>();
  for (const e of h.received) {
    if (counted.has(e.data.id)) continue;
    counted.add(e.data.id);
    const call = (e.data.payload as { call_control_id?: string }).call_control_id ?? "";
    firstArrivals.set(call, [...(firstArrivals.get(call) ?? []), emittedOrder.get(e.data.id) ?? -1]);
  }
  const reordered = [...firstArrivals.values()].filter((order) => order.some((v, i) => i > 0 && v < order[i - 1]!)).length;
  const unverified = h.verificationFailures();
  await h.close();
  if (missing !== 0 || failedDeliveries !== 0 || unverified !== 0 || duplicates === 0 || reordered === 0) {
    throw new Error(
      `realistic delivery: missing=${missing} given up=${failedDeliveries} unverified=${unverified} duplicates=${duplicates} calls out of order=${reordered}`,
    );
  }
  return { rate: CONCURRENT_CALLS / seconds, emitted: emitted.length, delivered: emitted.length - missing, duplicates, posts, reordered };
}

export async function run(): Promise<BenchRow[]> {
  // Baseline: one call at a time, same stack.
  const seq = await harness("same thread");
  const seqStart = performance.now();
  for (let i = 0; i < SEQUENTIAL_CALLS; i++) await seq.oneCall(i);
  const seqRate = SEQUENTIAL_CALLS / ((performance.now() - seqStart) / 1000);
  await seq.close();

  const shared = await concurrent("same thread");
  const own = await concurrent("own thread");
  const rough = await realistic();
  const memory = await memoryRows();
  const flows = `${CONCURRENT_CALLS} concurrent call flows/s (dial, answer, speak, hangup; ring/speech ${TIMING.answerDelayMs} ms)`;
  return [
    {
      metric: `simulator: ${flows}, simulator on the bench's event loop`,
      ours: `${shared.rate.toFixed(1)} calls/s`,
      baseline: `one call at a time: ${seqRate.toFixed(1)} calls/s`,
      ratio: shared.rate / seqRate,
      better: "higher",
    },
    {
      metric: `simulator: ${flows}, simulator on its own thread`,
      ours: `${own.rate.toFixed(1)} calls/s`,
      baseline: `on the bench's event loop: ${shared.rate.toFixed(1)} calls/s`,
      ratio: own.rate / shared.rate,
      better: "higher",
    },
    {
      metric: `simulator: command latency under ${CONCURRENT_CALLS} concurrent calls, bench's event loop (p95 vs p50, ${shared.commands} commands)`,
      ours: `p95 ${shared.p95.toFixed(1)} ms`,
      baseline: `p50 ${shared.p50.toFixed(1)} ms`,
      ratio: shared.p95 / shared.p50,
      better: "lower",
    },
    {
      metric: `simulator: command latency under ${CONCURRENT_CALLS} concurrent calls, own thread (p95 vs p50, ${own.commands} commands)`,
      ours: `p95 ${own.p95.toFixed(1)} ms`,
      baseline: `p50 ${own.p50.toFixed(1)} ms`,
      ratio: own.p95 / own.p50,
      better: "lower",
    },
    {
      metric: "simulator: webhooks delivered once, in order, verified / expected (both runs)",
      ours: `${shared.delivered + own.delivered} of ${shared.expected + own.expected}, 0 lost, 0 duplicated`,
      baseline: `${shared.expected + own.expected} expected`,
      ratio: (shared.delivered + own.delivered) / (shared.expected + own.expected),
      better: "higher",
      target: "= 1.00x",
      pass: shared.delivered === shared.expected && own.delivered === own.expected,
    },
    {
      metric: `simulator: realistic delivery, ${CONCURRENT_CALLS} concurrent call flows (duplicates ${REALISTIC.duplicateRate! * 100}%, ${REALISTIC.concurrency} at a time per call, jitter 0-${REALISTIC.jitterMs} ms): events delivered and verified / emitted`,
      ours: `${rough.delivered} of ${rough.emitted}, in ${rough.posts} POSTs (${rough.duplicates} duplicates), ${rough.reordered} calls out of order, 0 unverified`,
      baseline: `${rough.emitted} emitted`,
      ratio: rough.delivered / rough.emitted,
      better: "higher",
      target: "= 1.00x",
      pass: rough.delivered === rough.emitted,
    },
    {
      metric: `simulator: ${CONCURRENT_CALLS} concurrent call flows/s with realistic delivery, bench's event loop`,
      ours: `${rough.rate.toFixed(1)} calls/s`,
      baseline: `polite delivery: ${shared.rate.toFixed(1)} calls/s`,
      ratio: rough.rate / shared.rate,
      better: "higher",
    },
    ...memory,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  printTable("Simulator under load", await run());
}
