// The router's cost (issues 12 and 18): events handled per second and the latency each POST sees (p50, p99), for
// 3 receiver processes behind a round-robin proxy with the router on one Redis and on a Redis Cluster (3 masters
// with a replica each, scripts/redis-cluster.ts), and for 1 process with the router on memoryStore, each against
// the same receivers that only verify; and, for comparison, the router on one Redis given the store without its
// combined operations (one store call per step, waits polled: the cost before issue 18). Side by side in one run (interleaved rounds, medians). The load: 200
// calls x 10 events, 20% sent twice, 64 POSTs in flight, bodies signed beforehand; the handler is empty, so what
// is measured is verification plus the router. Targets (issue 18, item 7) for the Redis rows: at least 0.85x
// the verify-only receivers' throughput, at most 3 ms added to their p50.
import { type ChildProcess, fork } from "node:child_process";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createSigner, generateKeyPair } from "@telnyx-voice/webhooks/testing";
import { startRedisCluster } from "../scripts/redis-cluster.ts";
import { startProxy } from "../scripts/round-robin-proxy.ts";
import { startRedisServer } from "../scripts/redis-server.ts";
import { median } from "./lib/measure.ts";
import type { BenchRow } from "./lib/table.ts";

const CALLS = 200;
const EVENTS_PER_CALL = 10;
const DUPLICATE_RATE = 0.2;
const IN_FLIGHT = 64;
// A run takes well under a second on this machine: enough rounds that the median shrugs off a noisy one.
const ROUNDS = 7;
const THROUGHPUT_TARGET = 0.85;
const P50_ADDED_TARGET_MS = 3;

type Mode = "verify" | "redis" | "separate" | "cluster" | "memory";
interface Setup {
  name: string;
  mode: Mode;
  receivers: number;
}
const SETUPS: Setup[] = [
  { name: "3 receivers, router on redisStore", mode: "redis", receivers: 3 },
  {
    name: "3 receivers, router on redisStore without its combined operations (one step a time, as before)",
    mode: "separate",
    receivers: 3,
  },
  { name: "3 receivers, router on redisStore (Redis Cluster)", mode: "cluster", receivers: 3 },
  { name: "3 receivers, verify only", mode: "verify", receivers: 3 },
  { name: "1 receiver, router on memoryStore", mode: "memory", receivers: 1 },
  { name: "1 receiver, verify only", mode: "verify", receivers: 1 },
];

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const receiverFile = fileURLToPath(new URL("./router-receiver.ts", import.meta.url));

function startReceiver(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(receiverFile, [], { execArgv: ["--import", tsx], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench receiver exited (${code}) before listening`)));
    child.once("message", (m: { port: number }) => resolve({ child, port: m.port }));
  });
}

/** Fresh events each run (new ids), in call order, with duplicates right behind their originals. */
function load(
  sign: (body: string) => Record<string, string>,
  run: number,
): Array<{ body: string; headers: Record<string, string> }> {
  const base = Date.now();
  const out: Array<{ body: string; headers: Record<string, string> }> = [];
  for (let e = 0; e < EVENTS_PER_CALL; e++) {
    for (let c = 0; c < CALLS; c++) {
      const body = JSON.stringify({
        data: {
          record_type: "event",
          event_type: "call.answered",
          id: `bench-${run}-${c}-${e}`,
          occurred_at: new Date(base + e).toISOString(),
          payload: { call_control_id: `v3:bench-${run}-${c}`, connection_id: "1" },
        },
        meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
      });
      const copies = Math.random() < DUPLICATE_RATE ? 2 : 1;
      for (let k = 0; k < copies; k++) out.push({ body, headers: sign(body) });
    }
  }
  return out;
}

function post(agent: Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function drive(url: string, events: Array<{ body: string; headers: Record<string, string> }>) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const target = new URL(url);
  const latencies: number[] = [];
  let next = 0;
  const failed = new Map<number, number>();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < events.length) {
        const event = events[next++]!;
        const sent = performance.now();
        const status = await post(agent, target, event.body, event.headers);
        latencies.push(performance.now() - sent);
        if (status !== 200) failed.set(status, (failed.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { perSecond: events.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed };
}

export async function run(): Promise<BenchRow[]> {
  const [redis, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
  const keys = await generateKeyPair();
  const signer = createSigner(keys.privateKey);
  const sign = (body: string) => {
    const headers = signer.signSync?.(body);
    if (!headers) throw new Error("bench: the node:crypto signer has signSync");
    return { ...headers };
  };
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    const endpoints = new Map<string, string>();
    for (const setup of SETUPS) {
      const receivers = await Promise.all(
        Array.from({ length: setup.receivers }, () =>
          startReceiver({
            MODE: setup.mode,
            PUBLIC_KEY: keys.publicKey,
            REDIS_URL: redis.url,
            REDIS_CLUSTER_URL: cluster.url,
            KEY_PREFIX: `bench-${Date.now()}:`,
          }),
        ),
      );
      children.push(...receivers.map((r) => r.child));
      if (setup.receivers === 1) {
        endpoints.set(setup.name, `http://127.0.0.1:${receivers[0]!.port}/webhooks`);
      } else {
        const proxy = await startProxy(receivers.map((r) => r.port));
        closers.push(() => proxy.close());
        endpoints.set(setup.name, proxy.url);
      }
    }
    // Warm-up: JIT, connections, scripts loaded into Redis.
    for (const setup of SETUPS) await drive(endpoints.get(setup.name)!, load(sign, -1).slice(0, 500));
    const samples = new Map<string, Array<Awaited<ReturnType<typeof drive>>>>(SETUPS.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < SETUPS.length; i++) {
        const setup = SETUPS[(i + round) % SETUPS.length]!;
        const result = await drive(endpoints.get(setup.name)!, load(sign, round * 10 + i));
        if (result.failed.size > 0) {
          const statuses = [...result.failed].map(([status, n]) => `${n} answered ${status}`).join(", ");
          throw new Error(`${setup.name}: POSTs not answered 200 (${statuses})`);
        }
        samples.get(setup.name)!.push(result);
      }
    }
    const figure = (name: string) => {
      const list = samples.get(name)!;
      return {
        perSecond: median(list.map((r) => r.perSecond)),
        p50: median(list.map((r) => r.p50)),
        p99: median(list.map((r) => r.p99)),
      };
    };
    const rows: BenchRow[] = [];
    const load_ = `${CALLS} calls x ${EVENTS_PER_CALL} events, ${DUPLICATE_RATE * 100}% duplicated, ${IN_FLIGHT} in flight`;
    for (const [router, verify, targets] of [
      [SETUPS[0]!.name, SETUPS[3]!.name, true],
      [SETUPS[2]!.name, SETUPS[3]!.name, true],
      [SETUPS[1]!.name, SETUPS[3]!.name, false],
      [SETUPS[4]!.name, SETUPS[5]!.name, false],
    ] as const) {
      const ours = figure(router);
      const base = figure(verify);
      const ratio = ours.perSecond / base.perSecond;
      const added = ours.p50 - base.p50;
      const signed = (ms: number) => `${ms < 0 ? "-" : "+"}${Math.abs(ms).toFixed(1)} ms`;
      rows.push(
        {
          metric: `webhooks handled/s (${load_}): ${router}`,
          ours: `${Math.round(ours.perSecond).toLocaleString("en-US")}/s`,
          baseline: `${verify}: ${Math.round(base.perSecond).toLocaleString("en-US")}/s`,
          ratio,
          better: "higher",
          ...(targets ? { target: `>= ${THROUGHPUT_TARGET.toFixed(2)}x`, pass: ratio >= THROUGHPUT_TARGET } : {}),
        },
        {
          metric: `latency p50 per POST: ${router}`,
          ours: `${ours.p50.toFixed(1)} ms (${signed(added)})`,
          baseline: `${verify}: ${base.p50.toFixed(1)} ms`,
          ratio: ours.p50 / base.p50,
          better: "lower",
          ...(targets ? { target: `<= +${P50_ADDED_TARGET_MS} ms`, pass: added <= P50_ADDED_TARGET_MS } : {}),
        },
        {
          metric: `latency p99 per POST: ${router}`,
          ours: `${ours.p99.toFixed(1)} ms (${signed(ours.p99 - base.p99)})`,
          baseline: `${verify}: ${base.p99.toFixed(1)} ms`,
          ratio: ours.p99 / base.p99,
          better: "lower",
        },
      );
    }
    return rows;
  } finally {
    for (const close of closers) await close();
    for (const child of children) child.kill("SIGTERM");
    await Promise.all([redis.stop(), cluster.stop()]);
  }
}
