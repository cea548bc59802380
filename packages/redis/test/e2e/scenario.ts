// One end-to-end run: the simulator delivering as Telnyx does (duplicates, concurrency, jitter) through a
// round-robin proxy to receiver processes (receiver.ts), which drive 100+ calls through their router; then
// what they logged, what the simulator emitted and what it delivered, for the assertions in e2e.test.ts.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Telnyx } from "@telnyx-voice/client";
import { type DeliveryRecord, startSimulator } from "@telnyx-voice/simulator";
import { startProxy } from "../../../../scripts/round-robin-proxy.js";

export interface ScenarioOptions {
  store: "redis" | "memory";
  receivers: number;
  calls: number;
  /** SIGKILL receiver 1 once this share of the expected handler runs has ended. */
  killAt?: number;
  redisUrl?: string;
  /** The receivers' store is on this Redis Cluster (a node's URL) instead of `redisUrl`. */
  redisClusterUrl?: string;
  /** Each receiver's redisStore waits for this many replicas before a claim or done marker counts. */
  waitForReplicas?: number;
  /**
   * Runs `fault.run` (kill a Redis master, say) once `fault.at` of the expected handler runs have ended, beside
   * the traffic; the run ends only after it has.
   */
  fault?: { at: number; run: () => Promise<void> };
  /** The receivers report nothing on stderr (the bench: a failover reports every store operation it failed). */
  quiet?: boolean;
  jitterMs: number;
  reorderWindowMs: number;
  leaseMs: number;
  seed: number;
}

export interface LogRecord {
  t: "arrive" | "joined" | "start" | "end" | "done";
  id: string;
  inst: number;
  at: number;
  call?: string;
  occ?: string;
  late?: boolean;
  type?: string;
}

export interface ScenarioResult {
  records: LogRecord[];
  /** Every event the simulator emitted for the calls: id, call, occurred_at, type. */
  emitted: Array<{ id: string; call: string; occ: string; type: string }>;
  deliveries: DeliveryRecord[];
  killed: { instance: number; at: number } | undefined;
  /** When `fault.run` began and ended (ms, performance.timeOrigin based, as `at` in the logs). */
  fault: { began: number; ended: number } | undefined;
  proxied: number[];
}

const here = fileURLToPath(new URL(".", import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** Telnyx's per-event redelivery horizon is about a minute; the simulator's default backoff is shorter. */
const EVENTS_PER_CALL = 5; // initiated, answered, speak.started, speak.ended, hangup

function startReceiver(instance: number, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(here, "receiver.ts"), [], {
    execArgv: ["--import", tsx],
    env: { ...process.env, ...env, INSTANCE: String(instance) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`receiver ${instance} did not listen within 30 s`)), 30_000);
    child.once("exit", (code) => reject(new Error(`receiver ${instance} exited (${code}) before listening`)));
    child.on("message", (message: { t: string; port?: number }) => {
      if (message.t !== "listening" || message.port === undefined) return;
      clearTimeout(timer);
      resolve({ child, port: message.port });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function until(condition: () => boolean, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`end-to-end run: timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), "telnyx-voice-e2e-"));
  const sim = await startSimulator({
    answerDelayMs: 10,
    mediaDurationMs: 5,
    delivery: { duplicateRate: 0.25, concurrency: 4, jitterMs: options.jitterMs, seed: options.seed },
    // Enough redeliveries to outlast a dead instance's lease (the killed receiver's in-flight events).
    redelivery: { maxAttempts: 10, baseDelayMs: 100, timeoutMs: 10_000 },
    logger: { warn: () => {}, error: (message) => console.error(message) },
  });
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<void>> = [async () => sim.stop()];
  try {
    const env = {
      STORE: options.store,
      REDIS_URL: options.redisUrl ?? "",
      REDIS_CLUSTER_URL: options.redisClusterUrl ?? "",
      WAIT_FOR_REPLICAS: String(options.waitForReplicas ?? 0),
      QUIET: options.quiet ? "1" : "",
      KEY_PREFIX: `e2e-${options.seed}-${Date.now()}:`,
      PUBLIC_KEY: sim.publicKey,
      TELNYX_BASE_URL: sim.url,
      TELNYX_API_KEY: "KEY_SIMULATOR",
      REORDER_WINDOW_MS: String(options.reorderWindowMs),
      LEASE_MS: String(options.leaseMs),
      MAX_WAIT_MS: "5000",
    };
    const receivers = await Promise.all(
      Array.from({ length: options.receivers }, (_, i) =>
        startReceiver(i, { ...env, LOG_FILE: join(dir, `receiver-${i}.jsonl`) }),
      ),
    );
    for (const r of receivers) {
      children.push(r.child);
      closers.push(() => stopChild(r.child));
    }
    const proxy = await startProxy(receivers.map((r) => r.port));
    closers.push(() => proxy.close());

    let ended = 0;
    for (const r of receivers) r.child.on("message", (m: { t: string }) => m.t === "end" && ended++);
    const expected = options.calls * EVENTS_PER_CALL;
    let killed: ScenarioResult["killed"];
    const victim = receivers[1];
    const killer =
      options.killAt !== undefined && victim
        ? until(() => ended >= expected * (options.killAt ?? 0), "the moment to kill a receiver", 60_000).then(() => {
            victim.child.kill("SIGKILL");
            killed = { instance: 1, at: performance.timeOrigin + performance.now() };
          })
        : Promise.resolve();
    let fault: ScenarioResult["fault"];
    const clock = () => performance.timeOrigin + performance.now();
    const faulted = options.fault
      ? until(() => ended >= expected * (options.fault?.at ?? 0), "the moment of the fault", 60_000).then(async () => {
          const began = clock();
          await options.fault?.run();
          fault = { began, ended: clock() };
        })
      : Promise.resolve();

    const telnyx = new Telnyx({ apiKey: "KEY_SIMULATOR", baseURL: sim.url });
    // Calls start 25 ms apart (40 a second), as traffic does, rather than all in one instant.
    const dials: Array<Promise<string>> = [];
    for (let i = 0; i < options.calls; i++) {
      dials.push(
        telnyx.calls
          .dial({
            connection_id: "e2e-app",
            from: "+13125550001",
            to: `+1312555${String(1000 + i).padStart(4, "0")}`,
            webhook_url: proxy.url,
          })
          .then((res) => res.data.call_control_id),
      );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const ids = await Promise.all(dials);
    await killer;
    await faulted;
    await until(
      () => ids.every((id) => sim.calls.get(id)?.state === "ended"),
      `every call to be hung up by the app (${ids.filter((id) => sim.calls.get(id)?.state !== "ended").length} of ${ids.length} left)`,
      90_000,
    );
    await sim.idle();

    const emitted = sim.events
      .filter((e) => ids.includes(e.callControlId))
      .map((e) => ({
        id: e.event.data.id,
        call: e.callControlId,
        occ: e.event.data.occurred_at,
        type: e.event.data.event_type,
      }));
    const deliveries = sim.deliveries.filter((d) => ids.includes(d.callControlId));
    const proxied = receivers.map((r) => proxy.sent.get(r.port) ?? 0);
    for (const close of closers.splice(1).reverse()) await close();
    const records: LogRecord[] = [];
    for (let i = 0; i < options.receivers; i++) {
      let text = "";
      try {
        text = readFileSync(join(dir, `receiver-${i}.jsonl`), "utf8");
      } catch {
        // A receiver that handled nothing wrote no file.
      }
      for (const line of text.split("\n")) if (line.trim()) records.push(JSON.parse(line) as LogRecord);
    }
    return { records, emitted, deliveries, killed, fault, proxied };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}
