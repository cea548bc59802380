// Pattern apps on several processes behind a round-robin proxy, over one Redis, with the simulator delivering as
// Telnyx does (duplicates, concurrency, jitter): what the many-instance tests of the patterns start.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Simulator, type SimulatorOptions, startSimulator } from "@telnyx-voice/simulator";
import { inject } from "vitest";
import { type RoundRobinProxy, startProxy } from "../../../scripts/round-robin-proxy.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The redis-server of packages/redis/test/global-setup.ts. */
    redisUrl: string;
  }
}

const here = fileURLToPath(new URL(".", import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface Line {
  t: string;
  inst: string;
  at: number;
  [field: string]: unknown;
}

export interface Cluster {
  sim: Simulator;
  proxy: RoundRobinProxy;
  connectionId: string;
  children: ChildProcess[];
  /** Every line the instances logged so far. */
  lines(): Line[];
  close(): Promise<void>;
}

export async function cluster(options: {
  pattern: string;
  instances: number;
  leaseMs: number;
  sim?: SimulatorOptions;
  env?: Record<string, string>;
}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), `telnyx-voice-${options.pattern}-`));
  const sim = await startSimulator({
    answerDelayMs: 20,
    mediaDurationMs: 30,
    maxGatherWaitMs: 1000,
    delivery: { duplicateRate: 0.25, concurrency: 4, jitterMs: 20, seed: 5 },
    redelivery: { maxAttempts: 10, baseDelayMs: 200, timeoutMs: 10_000 },
    logger: { warn: () => {}, error: (message) => console.error(message) },
    ...options.sim,
  });
  const env = {
    REDIS_URL: inject("redisUrl"),
    KEY_PREFIX: `${options.pattern}-${Date.now()}-${Math.random().toString(36).slice(2)}:`,
    PUBLIC_KEY: sim.publicKey,
    TELNYX_BASE_URL: sim.url,
    TELNYX_API_KEY: "KEY_SIMULATOR",
    LEASE_MS: String(options.leaseMs),
    PATTERN: options.pattern,
    ...options.env,
  };
  const children: ChildProcess[] = [];
  const ports = await Promise.all(
    Array.from({ length: options.instances }, (_, i) => {
      const child = fork(join(here, "instance.ts"), [], {
        execArgv: ["--import", tsx],
        env: { ...process.env, ...env, INSTANCE: String(i), LOG_FILE: join(dir, `instance-${i}.jsonl`) },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      children.push(child);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`instance ${i} did not listen within 30 s`)), 30_000);
        child.once("exit", (code) => reject(new Error(`instance ${i} exited (${code}) before listening`)));
        child.on("message", (message: { t: string; port?: number }) => {
          if (message.t !== "listening" || message.port === undefined) return;
          clearTimeout(timer);
          resolve(message.port);
        });
      });
    }),
  );
  const proxy = await startProxy(ports);
  const connectionId =
    sim.applications.create({ application_name: options.pattern, webhook_event_url: proxy.url }).id ?? "";
  return {
    sim,
    proxy,
    connectionId,
    children,
    // Complete lines only: a file may be read while its instance is writing a line, or end in half a line
    // written by an instance killed mid-write.
    lines: () =>
      readdirSync(dir)
        .flatMap((file) => readFileSync(join(dir, file), "utf8").split("\n").slice(0, -1))
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Line),
    async close() {
      for (const child of children) child.kill("SIGKILL");
      await proxy.close();
      await sim.stop();
    },
  };
}

/** The instance a flow's call belongs to: the owner its client_state names (flows' wire format, read here only). */
export function ownerOf(clientState: string | undefined): string | undefined {
  if (!clientState) return undefined;
  return (JSON.parse(Buffer.from(clientState, "base64").toString("utf8")) as { o?: string }).o;
}
