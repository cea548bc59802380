// Flows on several processes behind a round-robin proxy, over one Redis, with the simulator delivering as Telnyx
// does (duplicates, concurrency, jitter): the processes, their logs, and someone calling in. For the
// many-instance tests and the fault tests.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Simulator, startSimulator } from "@telnyx-voice/simulator";
import { inject } from "vitest";
import { type RoundRobinProxy, startProxy } from "../../../../scripts/round-robin-proxy.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The redis-server of ../redis/test/global-setup.ts. */
    redisUrl: string;
    /** A node of its Redis Cluster. */
    redisClusterUrl: string;
  }
}

const here = fileURLToPath(new URL("..", import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface Line {
  t: "event" | "start" | "gathered" | "done" | "error" | "dtmf" | "redis" | "draining" | "drained";
  at?: number;
  finished?: number;
  hungUp?: number;
  id?: string;
  inst: string;
  call?: string;
  digits?: string;
  type?: string;
  message?: string;
}

export const children: ChildProcess[] = [];
let sim: Simulator | undefined;
let proxy: RoundRobinProxy | undefined;

/** Kills the processes and stops what `cluster` started: call it after each test. */
export async function closeCluster(): Promise<void> {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await proxy?.close();
  await sim?.stop();
  proxy = undefined;
  sim = undefined;
}

export async function cluster(options: {
  receivers: number;
  leaseMs: number;
  mediaDurationMs: number;
  flow?: "ivr" | "silent" | "digits";
  /** Another Redis than the shared one (a test that stalls it). */
  redisUrl?: string;
  /** The shared Redis Cluster of ../redis/test/global-setup.ts instead of the shared Redis. */
  redisCluster?: boolean;
  commandTimeoutMs?: number;
}) {
  const dir = mkdtempSync(join(tmpdir(), "telnyx-voice-flows-"));
  sim = await startSimulator({
    answerDelayMs: 10,
    mediaDurationMs: options.mediaDurationMs,
    delivery: { duplicateRate: 0.25, concurrency: 4, jitterMs: 20, seed: 5 },
    redelivery: { maxAttempts: 10, baseDelayMs: 200, timeoutMs: 10_000 },
    logger: { warn: () => {}, error: (message) => console.error(message) },
  });
  const env = {
    REDIS_URL: options.redisUrl ?? inject("redisUrl"),
    ...(options.redisCluster ? { REDIS_CLUSTER_URL: inject("redisClusterUrl") } : {}),
    KEY_PREFIX: `flows-${Date.now()}-${Math.random().toString(36).slice(2)}:`,
    PUBLIC_KEY: sim.publicKey,
    TELNYX_BASE_URL: sim.url,
    TELNYX_API_KEY: "KEY_SIMULATOR",
    LEASE_MS: String(options.leaseMs),
    REORDER_WINDOW_MS: "50",
    FLOW: options.flow ?? "ivr",
    COMMAND_TIMEOUT_MS: String(options.commandTimeoutMs ?? 2000),
  };
  const startInstance = (i: number) => {
    const child = fork(join(here, "many", "receiver.ts"), [], {
      execArgv: ["--import", tsx],
      env: { ...process.env, ...env, INSTANCE: String(i), LOG_FILE: join(dir, `receiver-${i}.jsonl`) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.push(child);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver ${i} did not listen within 30 s`)), 30_000);
      const early = (code: number | null) => reject(new Error(`receiver ${i} exited (${code}) before listening`));
      child.once("exit", early);
      child.on("message", (message: { t: string; port?: number }) => {
        if (message.t !== "listening" || message.port === undefined) return;
        clearTimeout(timer);
        child.off("exit", early);
        resolve(message.port);
      });
    });
  };
  const ports = await Promise.all(Array.from({ length: options.receivers }, (_, i) => startInstance(i)));
  proxy = await startProxy(ports);
  /** Starts instance `i` and puts it behind the proxy (a deploy's fresh instance). */
  const addInstance = async (i: number) => (proxy as RoundRobinProxy).add(await startInstance(i));
  // Complete lines only: a file may be read while its instance is writing a line, or end in half a line
  // written by an instance killed mid-write.
  const lines = (): Line[] =>
    readdirSync(dir)
      .flatMap((file) => readFileSync(join(dir, file), "utf8").split("\n").slice(0, -1))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Line);
  const callIn = (digits: string, clientState?: string) =>
    (sim as Simulator).inboundCall({
      from: "+13125550142",
      to: "+13125550100",
      connectionId: "flows-many",
      webhookUrl: (proxy as RoundRobinProxy).url,
      digits,
      ...(clientState ? { clientState } : {}),
    }).callControlId;
  return { sim, lines, callIn, addInstance };
}

export const linesOf = (lines: Line[], t: Line["t"], call: string) => lines.filter((l) => l.t === t && l.call === call);
