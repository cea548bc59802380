// Flows on two processes behind a round-robin proxy, over one Redis, with the simulator delivering as Telnyx does
// (duplicates, concurrency, jitter): each call's flow runs once, on one instance, and its events reach that
// instance wherever the proxy sent them. When that instance is killed (SIGKILL), another hangs its calls up.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Simulator, startSimulator } from "@telnyx-voice/simulator";
import { afterEach, expect, inject, test } from "vitest";
import { type RoundRobinProxy, startProxy } from "../../../scripts/round-robin-proxy.js";
import { until } from "./harness.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The redis-server of ../redis/test/global-setup.ts. */
    redisUrl: string;
  }
}

const here = fileURLToPath(new URL(".", import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

interface Line {
  t: "event" | "start" | "gathered" | "done" | "error";
  inst: string;
  call?: string;
  digits?: string;
  type?: string;
  message?: string;
}

const children: ChildProcess[] = [];
let sim: Simulator | undefined;
let proxy: RoundRobinProxy | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await proxy?.close();
  await sim?.stop();
});

async function cluster(options: { receivers: number; leaseMs: number; mediaDurationMs: number; flow?: "ivr" | "silent" }) {
  const dir = mkdtempSync(join(tmpdir(), "telnyx-voice-flows-"));
  sim = await startSimulator({
    answerDelayMs: 10,
    mediaDurationMs: options.mediaDurationMs,
    delivery: { duplicateRate: 0.25, concurrency: 4, jitterMs: 20, seed: 5 },
    redelivery: { maxAttempts: 10, baseDelayMs: 200, timeoutMs: 10_000 },
    logger: { warn: () => {}, error: (message) => console.error(message) },
  });
  const env = {
    REDIS_URL: inject("redisUrl"),
    KEY_PREFIX: `flows-${Date.now()}-${Math.random().toString(36).slice(2)}:`,
    PUBLIC_KEY: sim.publicKey,
    TELNYX_BASE_URL: sim.url,
    TELNYX_API_KEY: "KEY_SIMULATOR",
    LEASE_MS: String(options.leaseMs),
    REORDER_WINDOW_MS: "50",
    FLOW: options.flow ?? "ivr",
  };
  const ports = await Promise.all(
    Array.from({ length: options.receivers }, (_, i) => {
      const child = fork(join(here, "many", "receiver.ts"), [], {
        execArgv: ["--import", tsx],
        env: { ...process.env, ...env, INSTANCE: String(i), LOG_FILE: join(dir, `receiver-${i}.jsonl`) },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      children.push(child);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver ${i} did not listen within 30 s`)), 30_000);
        child.once("exit", (code) => reject(new Error(`receiver ${i} exited (${code}) before listening`)));
        child.on("message", (message: { t: string; port?: number }) => {
          if (message.t !== "listening" || message.port === undefined) return;
          clearTimeout(timer);
          resolve(message.port);
        });
      });
    }),
  );
  proxy = await startProxy(ports);
  const lines = (): Line[] =>
    readdirSync(dir)
      .flatMap((file) => readFileSync(join(dir, file), "utf8").split("\n"))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Line);
  const callIn = (digits: string) =>
    (sim as Simulator).inboundCall({
      from: "+13125550142",
      to: "+13125550100",
      connectionId: "flows-many",
      webhookUrl: (proxy as RoundRobinProxy).url,
      digits,
    }).callControlId;
  return { sim, lines, callIn };
}

const linesOf = (lines: Line[], t: Line["t"], call: string) => lines.filter((l) => l.t === t && l.call === call);

test("50 concurrent incoming calls on 2 processes: one flow per call, each call's events reach it", async () => {
  const { sim, lines, callIn } = await cluster({ receivers: 2, leaseMs: 5000, mediaDurationMs: 5 });
  const calls = Array.from({ length: 50 }, (_, i) => ({ id: callIn(String(10 + i)), digits: String(10 + i) }));
  await until(() => lines().filter((l) => l.t === "done").length >= 50, "50 flows done", 60_000);
  await sim.idle();
  const all = lines();
  expect(all.filter((l) => l.t === "error")).toEqual([]);
  for (const { id, digits } of calls) {
    const starts = linesOf(all, "start", id);
    expect(starts, id).toHaveLength(1);
    expect(linesOf(all, "done", id).map((l) => [l.inst, l.digits]), id).toEqual([[starts[0]?.inst, digits]]);
    expect(sim.calls.get(id)?.hangupCause, id).toBe("normal_clearing");
  }
  // The proxy spread each call's events over both instances: some reached the one not running the call's flow
  // and were relayed to it (that the flows above completed is what proves they arrived).
  const owner = new Map(all.filter((l) => l.t === "start").map((l) => [l.call, l.inst]));
  const elsewhere = all.filter((l) => l.t === "event" && l.call && owner.has(l.call) && owner.get(l.call) !== l.inst);
  expect(elsewhere.length).toBeGreaterThan(50);
  expect(new Set(all.filter((l) => l.t === "start").map((l) => l.inst)).size).toBe(2);
  expect(sim.deliveries.filter((d) => d.final && !d.ok)).toEqual([]);
}, 90_000);

test("an instance killed mid-call: another hangs its calls up once its lease lapses", async () => {
  const { sim, lines, callIn } = await cluster({ receivers: 2, leaseMs: 1000, mediaDurationMs: 4000 });
  const ids = Array.from({ length: 8 }, (_, i) => callIn(String(20 + i)));
  // Every flow is in its long speak.
  await until(() => lines().filter((l) => l.t === "gathered").length >= 8, "8 gathers", 30_000);
  const owner = new Map(lines().filter((l) => l.t === "start").map((l) => [l.call as string, l.inst]));
  const victims = ids.filter((id) => owner.get(id) === "inst-0");
  const survivors = ids.filter((id) => owner.get(id) === "inst-1");
  expect(victims.length).toBeGreaterThan(0);
  expect(survivors.length).toBeGreaterThan(0);
  children[0]?.kill("SIGKILL");
  const killedAt = Date.now();
  const finished = () => {
    const all = lines();
    return (
      survivors.every((id) => linesOf(all, "done", id).length === 1) &&
      victims.every((id) => sim.calls.get(id)?.state === "ended")
    );
  };
  await until(finished, "the survivors' flows done and the victims' calls ended", 30_000);
  const all = lines();
  for (const id of victims) {
    // Its flow died before finishing; the call was hung up (by instance 1, as caller) rather than left up.
    expect(linesOf(all, "done", id), id).toHaveLength(0);
    expect(sim.calls.get(id)?.eventTypes.at(-1), id).toBe("call.hangup");
  }
  // Within the speak's end or a lease and a sweep of the kill, well inside Telnyx's redelivery horizon.
  expect(Date.now() - killedAt).toBeLessThan(15_000);
}, 90_000);

test("an instance killed while its calls are silent: a sweep finds them once its lease lapses and hangs them up", async () => {
  const { sim, lines, callIn } = await cluster({ receivers: 2, leaseMs: 1000, mediaDurationMs: 5, flow: "silent" });
  const ids = Array.from({ length: 6 }, () => callIn(""));
  await until(() => lines().filter((l) => l.t === "gathered").length >= 6, "6 calls waiting", 30_000);
  const owner = new Map(lines().filter((l) => l.t === "start").map((l) => [l.call as string, l.inst]));
  const victims = ids.filter((id) => owner.get(id) === "inst-0");
  expect(victims.length).toBeGreaterThan(0);
  children[0]?.kill("SIGKILL");
  // No webhook comes for these calls: only the sweep of instance 1 (every lease) can find them.
  await until(() => victims.every((id) => sim.calls.get(id)?.state === "ended"), "the victims' calls ended", 15_000);
  for (const id of ids.filter((id) => owner.get(id) === "inst-1")) expect(sim.calls.get(id)?.state, id).toBe("answered");
}, 60_000);
