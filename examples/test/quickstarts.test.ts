// Every README quick start runs as written against the simulator (the environment points it there, as a user
// would: TELNYX_API_KEY, TELNYX_BASE_URL, TELNYX_PUBLIC_KEY, PORT), or says on its first line that it is a fragment.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Telnyx } from "@telnyx-voice/client";
import { type Simulator, startSimulator } from "@telnyx-voice/simulator";
import { afterAll, afterEach, expect, test } from "vitest";
import { type RedisServer, startRedisServer } from "../../scripts/redis-server.js";

const examples = join(dirname(fileURLToPath(import.meta.url)), "..");
const quickstarts = readdirSync(join(examples, "quickstarts")).filter((f) => f.endsWith(".ts"));
const API_KEY = "KEY_quickstarts";
const CONNECTION = "1494404757140276705"; // the connection id the quick starts use
const WAIT_MS = 20_000;

interface Script {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output matches; rejects when the script exits first or after WAIT_MS. */
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

const running: Script[] = [];
const sims: Simulator[] = [];
afterEach(async () => {
  for (const script of running.splice(0)) script.child.kill("SIGKILL");
  for (const sim of sims.splice(0)) await sim.stop();
});

function start(file: string, env: Record<string, string>): Script {
  const child = spawn(process.execPath, ["--import", "tsx", join("quickstarts", file)], {
    cwd: examples,
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file}: no ${pattern} within ${WAIT_MS} ms:\n${out}`)), WAIT_MS);
      const check = () => {
        if (!pattern.test(out)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      exited.then(() => {
        check();
        clearTimeout(timer);
        reject(new Error(`${file} exited before printing ${pattern}:\n${out}`));
      });
      check();
    });
  const script = { child, output: () => out, waitFor, exited };
  running.push(script);
  return script;
}

let redis: RedisServer | undefined;
afterAll(async () => {
  await redis?.stop();
});

async function simulator(webhookUrl?: string, duplicateRate = 0): Promise<{ sim: Simulator; env: Record<string, string> }> {
  const sim = await startSimulator({ apiKey: API_KEY, answerDelayMs: 20, delivery: { duplicateRate }, ...(webhookUrl ? { webhookUrl } : {}) });
  sims.push(sim);
  const env = { TELNYX_API_KEY: API_KEY, TELNYX_BASE_URL: sim.url, TELNYX_PUBLIC_KEY: sim.publicKey };
  return { sim, env };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts connections on the port (the quick start's server is up). */
async function listening(port: number, script: Script): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      }).on("error", () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${port}:\n${script.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A receiver quick start: it serves on PORT and the simulator sends a call's webhooks there. `answered` is
 * what it prints once the call is up; after the hang-up it prints each of `hungUp`.
 */
async function receiverScenario(
  file: string,
  answered: (id: string) => RegExp,
  hungUp: RegExp[],
  extra: { env?: Record<string, string>; duplicateRate?: number } = {},
): Promise<void> {
  const port = await freePort();
  const { sim, env } = await simulator(`http://127.0.0.1:${port}/webhooks`, extra.duplicateRate);
  const script = start(file, { ...env, ...extra.env, PORT: String(port) });
  await listening(port, script);
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: sim.url });
  const { data } = await telnyx.calls.dial({ connection_id: CONNECTION, from: "+13125550001", to: "+13125550002" });
  await script.waitFor(answered(data.call_control_id));
  await telnyx.calls.actions.hangup(data.call_control_id);
  for (const pattern of hungUp) await script.waitFor(pattern);
  await sim.idle();
  // One record per POST: each copy's last one (final) was accepted, i.e. no webhook was given up.
  expect(sim.deliveries.filter((d) => d.final).every((d) => d.ok)).toBe(true);
}

const literally = (s: string) => new RegExp(s.replace(/[^\w]/g, "\\$&"));

const scenarios: Record<string, () => Promise<void>> = {
  "test-with-simulator.ts": async () => {
    const script = start("test-with-simulator.ts", {});
    expect(await script.exited, script.output()).toBe(0);
    expect(script.output()).toContain("answered: true");
  },

  "handle-errors.ts": async () => {
    const { sim, env } = await simulator();
    const script = start("handle-errors.ts", env);
    expect(await script.exited, script.output()).toBe(0);
    // The bad `to` is refused before sending: the message names it, and the simulator saw no call.
    expect(script.output()).toMatch(/"to"[^\n]*3125550002[^\n]*E\.164/);
    expect(sim.calls.list()).toHaveLength(0);
  },

  "iterate-active-calls.ts": async () => {
    const { sim, env } = await simulator("http://127.0.0.1:9/webhooks");
    const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: sim.url });
    const calls = [];
    for (const to of ["+13125550002", "+13125550003"]) {
      calls.push((await telnyx.calls.dial({ connection_id: CONNECTION, from: "+13125550001", to })).data);
    }
    await telnyx.callControlApplications.create({ application_name: "quickstart-app", webhook_event_url: "https://example.com/hooks" });
    const script = start("iterate-active-calls.ts", env);
    expect(await script.exited, script.output()).toBe(0);
    for (const call of calls) expect(script.output()).toContain(call.call_control_id);
    expect(script.output()).toContain("quickstart-app");
  },

  "receive-node-http.ts": () =>
    receiverScenario("receive-node-http.ts", () => /call from \+13125550001/, [/hung up: normal_clearing/]),

  "receive-express.ts": () => receiverScenario("receive-express.ts", literally, []),

  // Every webhook delivered twice (same data.id): the router on Redis handles each once.
  "receive-many-instances.ts": async () => {
    redis ??= await startRedisServer();
    let answeredId = "";
    await receiverScenario(
      "receive-many-instances.ts",
      (id) => {
        answeredId = id;
        return literally(`answered: ${id}`);
      },
      [/hung up: normal_clearing/],
      { env: { REDIS_URL: redis.url }, duplicateRate: 1 },
    );
    const output = running.at(-1)?.output() ?? "";
    expect(output.split(`answered: ${answeredId}`).length - 1).toBe(1);
    expect(output.match(/hung up/g)).toHaveLength(1);
  },
};

test("every quick start runs against the simulator or says it is a fragment", () => {
  for (const file of quickstarts) {
    const fragment = readFileSync(join(examples, "quickstarts", file), "utf8").startsWith("// Fragment:");
    expect({ file, runnable: file in scenarios || fragment }).toEqual({ file, runnable: true });
    expect({ file, both: file in scenarios && fragment }).toEqual({ file, both: false });
  }
});

test.each(Object.keys(scenarios))("%s runs as written", async (file) => {
  await scenarios[file]?.();
}, 60_000);
