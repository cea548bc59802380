// First-command latency of a fresh simulator: what the demo's first commands feel. Each sample is a fresh
// process (validators are cached per process), timing startSimulator() and then the first and second use of
// create-application, dial, speak and hangup over raw fetch, with the background validator compile
// (precompileValidators) and without it (the default), interleaved, right after start and after an idle
// pause (the CLI case).
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./lib/table.ts";

const SAMPLES = 3;
/** The CLI case: the simulator idles before its first client connects. */
const IDLE_BEFORE_FIRST_MS = 1500;
const STEPS = ["create application", "dial", "speak", "hangup"] as const;
type Sample = { start: number; first: Record<string, number>; second: Record<string, number> };

async function child(): Promise<void> {
  const { startSimulator } = await import("@telnyx-voice/simulator");
  const receiver = createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end()));
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  let t = performance.now();
  const precompileValidators = process.env.SIM_PRECOMPILE === "1";
  const sim = await startSimulator({ apiKey: "KEY_startup", webhookUrl, answerDelayMs: 0, mediaDurationMs: 1, precompileValidators });
  const start = performance.now() - t;
  const idle = Number(process.env.SIM_IDLE_MS ?? 0);
  if (idle > 0) await new Promise((resolve) => setTimeout(resolve, idle));
  const post = async (path: string, body: unknown) => {
    const res = await fetch(sim.url + path, { method: "POST", headers: { authorization: "Bearer KEY_startup", "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await res.json()) as { data: { call_control_id?: string } };
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json.data;
  };
  const round = async () => {
    const times: Record<string, number> = {};
    const timed = async <T>(step: string, fn: () => Promise<T>) => {
      t = performance.now();
      const r = await fn();
      times[step] = performance.now() - t;
      return r;
    };
    await timed("create application", () => post("/call_control_applications", { application_name: "a", webhook_event_url: webhookUrl }));
    const { call_control_id: id } = await timed("dial", () => post("/calls", { connection_id: "c", from: "+13125550100", to: "+13125550111" }));
    while (sim.calls.get(id ?? "")?.state !== "answered") await new Promise((r) => setTimeout(r, 1));
    await timed("speak", () => post(`/calls/${id}/actions/speak`, { payload: "hi", voice: "female" }));
    await timed("hangup", () => post(`/calls/${id}/actions/hangup`, {}));
    return times;
  };
  const first = await round();
  const second = await round();
  await sim.stop();
  receiver.close();
  process.stdout.write(JSON.stringify({ start, first, second } satisfies Sample));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

function sample(precompile: boolean, idleMs: number): Sample {
  const out = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child"], {
    encoding: "utf8",
    env: { ...process.env, SIM_PRECOMPILE: precompile ? "1" : "0", SIM_IDLE_MS: String(idleMs) },
  });
  if (out.status !== 0) throw new Error(`startup child failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as Sample;
}

const total = (times: Record<string, number>) => STEPS.reduce((sum, k) => sum + (times[k] ?? 0), 0);
const describe = (samples: Sample[]) => STEPS.map((k) => `${k} ${median(samples.map((s) => s.first[k] ?? 0)).toFixed(0)}`).join(", ");

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const idleMs of [0, IDLE_BEFORE_FIRST_MS]) {
    // Interleaved, so both modes see the same machine noise.
    const bg: Sample[] = [];
    const lazy: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      bg.push(sample(true, idleMs));
      lazy.push(sample(false, idleMs));
    }
    const bgFirst = median(bg.map((s) => total(s.first)));
    const lazyFirst = median(lazy.map((s) => total(s.first)));
    const second = median(lazy.map((s) => total(s.second)));
    const when = idleMs === 0 ? "right after start" : `${idleMs} ms after start`;
    rows.push({
      metric: `simulator: first use of 4 commands sent ${when}, fresh processes (background compile: ${describe(bg)}; on first use: ${describe(lazy)} ms)`,
      ours: `background compile: ${bgFirst.toFixed(0)} ms`,
      baseline: `on first use: ${lazyFirst.toFixed(0)} ms (second use ${second.toFixed(0)} ms)`,
      ratio: bgFirst / lazyFirst,
      better: "lower",
    });
  }
  return rows;
}

if (process.argv.includes("--child")) {
  await child();
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printTable } = await import("./lib/table.ts");
  printTable("Simulator start-up", await run());
}
