// What a Redis that stalls with its connections open (SIGSTOP) does to the router's guarantees, at full size
// (issue 18): 3 receiver processes behind a round-robin proxy on one Redis, defaults (leaseMs 10 s,
// commandTimeoutMs 2 s), 500 events of 100 calls, 20% duplicated, sent over 10 s by a sender that redelivers
// as Telnyx does (until a 2xx, backing off, each POST bounded); Redis stopped for 15 s from the 3rd second.
// Each row: events handled exactly once, against the same run without the stall.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createSigner, generateKeyPair } from "@telnyx-voice/webhooks/testing";
import { startProxy } from "../scripts/round-robin-proxy.ts";
import { startRedisServer } from "../scripts/redis-server.ts";
import type { BenchRow } from "./lib/table.ts";

const CALLS = 100;
const EVENTS_PER_CALL = 5;
const DUPLICATE_RATE = 0.2;
const SEND_OVER_MS = 10_000;
const STALL_AT_MS = 3000;
const STALL_MS = 15_000;
/** Telnyx redelivers until it gets a 2xx; each POST may take this long. */
const POST_TIMEOUT_MS = 10_000;
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000];

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const receiverFile = fileURLToPath(new URL("./router-receiver.ts", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startReceiver(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(receiverFile, [], { execArgv: ["--import", tsx], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`stall bench receiver exited (${code}) before listening`)));
    child.once("message", (m: { port: number }) => resolve({ child, port: m.port }));
  });
}

function post(agent: Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: "POST",
      agent,
      timeout: POST_TIMEOUT_MS,
      headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/** Delivers one copy until it is answered 2xx, as Telnyx does. */
async function deliver(agent: Agent, url: URL, body: string, sign: (body: string) => Record<string, string>) {
  for (let attempt = 0; ; attempt++) {
    const status = await post(agent, url, body, sign(body));
    if (status >= 200 && status < 300) return true;
    const delay = RETRY_DELAYS_MS[attempt];
    if (delay === undefined) return false;
    await sleep(delay);
  }
}

async function scenario(stall: boolean): Promise<{ once: number; twice: number; lost: number; total: number }> {
  const redis = await startRedisServer({ fresh: true });
  const keys = await generateKeyPair();
  const signer = createSigner(keys.privateKey);
  const sign = (body: string) => ({ ...signer.signSync?.(body) }) as Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), "telnyx-voice-stall-"));
  const prefix = `stall-${Date.now()}:`;
  const receivers = await Promise.all(
    [0, 1, 2].map((i) =>
      startReceiver({
        MODE: "redis",
        PUBLIC_KEY: keys.publicKey,
        REDIS_URL: redis.url,
        KEY_PREFIX: prefix,
        LOG_FILE: join(dir, `receiver-${i}.log`),
      }),
    ),
  );
  const proxy = await startProxy(receivers.map((r) => r.port));
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  try {
    const base = Date.now();
    const ids: string[] = [];
    const sends: Array<Promise<boolean>> = [];
    const total = CALLS * EVENTS_PER_CALL;
    const stalling = stall
      ? sleep(STALL_AT_MS).then(async () => {
          redis.process?.kill("SIGSTOP");
          await sleep(STALL_MS);
          redis.process?.kill("SIGCONT");
        })
      : Promise.resolve();
    for (let n = 0; n < total; n++) {
      const id = `stall-${n}-${Math.random().toString(36).slice(2)}`;
      ids.push(id);
      const body = JSON.stringify({
        data: {
          record_type: "event",
          event_type: "call.answered",
          id,
          occurred_at: new Date(base + n).toISOString(),
          payload: { call_control_id: `v3:call-${n % CALLS}`, call_leg_id: `leg-${n % CALLS}`, connection_id: "1" },
        },
        meta: { attempt: 1, delivered_to: proxy.url },
      });
      const copies = Math.random() < DUPLICATE_RATE ? 2 : 1;
      for (let k = 0; k < copies; k++) sends.push(deliver(agent, new URL(proxy.url), body, sign));
      await sleep(SEND_OVER_MS / total);
    }
    await Promise.all([...sends, stalling]);
    const runs = new Map<string, number>();
    for (const file of readdirSync(dir)) {
      for (const id of readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean)) {
        runs.set(id, (runs.get(id) ?? 0) + 1);
      }
    }
    const counts = ids.map((id) => runs.get(id) ?? 0);
    return {
      once: counts.filter((c) => c === 1).length,
      twice: counts.filter((c) => c > 1).length,
      lost: counts.filter((c) => c === 0).length,
      total,
    };
  } finally {
    agent.destroy();
    await proxy.close();
    for (const r of receivers) r.child.kill("SIGTERM");
    await redis.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const calm = await scenario(false);
  const stalled = await scenario(true);
  const describe = (r: typeof calm) => `${r.once}/${r.total} once, ${r.twice} twice, ${r.lost} lost`;
  return [
    {
      metric: `events handled exactly once, Redis SIGSTOPped ${STALL_MS / 1000} s mid-run (3 receivers, defaults)`,
      ours: describe(stalled),
      baseline: `no stall: ${describe(calm)}`,
      ratio: stalled.once / Math.max(1, calm.once),
      better: "higher",
    },
  ];
}
