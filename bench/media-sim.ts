// The simulator's media streams under load: 100 concurrent streams, each sending a 20 ms frame 50 times a second,
// against one stream alone, side by side in one run. The app (@telnyx-voice/media behind node:http) runs in a
// process of its own, so the CPU measured here is the simulator's: per stream, as a share of one core. Latency:
// every 100 ms the bench makes each caller say a 20 ms click (`sendAudio`) and the app notes when the frame
// carrying it arrives; from the call to the arrival is the latency a voice bot sees, 0-20 ms of it waiting for
// the next frame, as on a real call. Added latency is how much later that is with 100 streams than with one.
// CPU is compared with what the app spends receiving the same frames (MediaStreams: parse, order, decode), in
// the same run; the fixed cost of each process is shared by the streams alike.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startSimulator } from "@telnyx-voice/simulator";
import { type BenchRow, printTable } from "./lib/table.ts";

const STREAMS = 100;
const PROBE_EVERY_MS = 100;
const API_KEY = "KEY_bench";
const CLICK = Int16Array.from({ length: 160 }, (_, i) => (i % 8 < 4 ? 8000 : -8000));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

function ask<T>(app: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not answer ${message}`)), 10_000);
    const listener = (reply: Record<string, unknown>) => {
      if (!(key in reply)) return;
      clearTimeout(timer);
      app.off("message", listener);
      resolve(reply as T);
    };
    app.on("message", listener);
    app.send(message);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Phase {
  streams: number;
  /** Share of one core per stream, for the simulator's process. */
  cpuPerStream: number;
  /** The same for the app's process, receiving them. */
  appCpuPerStream: number;
  framesPerSecond: number;
  latencies: number[];
}

async function phase(app: ChildProcess, port: number, streams: number, durationMs: number): Promise<Phase> {
  const sim = await startSimulator({ apiKey: API_KEY, answerDelayMs: 10, logger: { warn() {}, error() {} } });
  try {
    const dial = async (i: number) => {
      const res = await fetch(`${sim.url}/calls`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({
          connection_id: "bench",
          from: "+13125550100",
          to: `+1312555${String(1000 + i).padStart(4, "0")}`,
          webhook_url: `http://127.0.0.1:${port}/webhooks`,
          stream_url: `ws://127.0.0.1:${port}/media`,
        }),
      });
      if (res.status !== 200) throw new Error(`dial: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { data: { call_control_id: string } }).data.call_control_id;
    };
    const ids = await Promise.all(Array.from({ length: streams }, (_, i) => dial(i)));
    const deadline = Date.now() + 15_000;
    while (!ids.every((id) => sim.calls.get(id)?.eventTypes.includes("streaming.started"))) {
      if (Date.now() > deadline) throw new Error("not every stream started within 15 s");
      await sleep(20);
    }
    await sleep(300);
    await ask(app, "reset", "reset");
    const probes = new Map<string, number[]>(ids.map((id) => [id, []]));
    const cpu = process.cpuUsage();
    const start = performance.now();
    while (performance.now() - start < durationMs) {
      for (const id of ids) {
        probes.get(id)?.push(now());
        sim.calls.get(id)?.sendAudio(CLICK, { sampleRate: 8000 });
      }
      await sleep(PROBE_EVERY_MS);
    }
    const used = process.cpuUsage(cpu);
    const elapsed = performance.now() - start;
    await sleep(200);
    const report = await ask<{ frames: number; cpuMs: number; arrivals: Record<string, number[]> }>(
      app,
      "report",
      "frames",
    );
    const latencies: number[] = [];
    for (const id of ids) {
      const sent = probes.get(id) ?? [];
      const arrived = report.arrivals[id] ?? [];
      if (arrived.length !== sent.length) {
        throw new Error(`call ${id}: ${sent.length} clicks said, ${arrived.length} heard`);
      }
      for (const [i, t] of sent.entries()) latencies.push((arrived[i] as number) - t);
    }
    return {
      streams,
      cpuPerStream: (used.user + used.system) / 1000 / elapsed / streams,
      appCpuPerStream: report.cpuMs / (elapsed + 200) / streams,
      // Frames over the measured window plus the 200 ms wait after it.
      framesPerSecond: report.frames / streams / ((elapsed + 200) / 1000),
      latencies,
    };
  } finally {
    await sim.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const app = fork(fileURLToPath(new URL("./lib/media-sim-app.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      app.once("message", (m) => resolve(m as { port: number }));
      app.once("exit", (code) => reject(new Error(`the app process exited (${code})`)));
    });
    const many = await phase(app, port, STREAMS, 5000);
    const alone = await phase(app, port, 1, 8000);
    const pct = (v: number) => `${(v * 100).toFixed(2)}% of a core`;
    const fps = (p: Phase) => `${p.framesPerSecond.toFixed(1)} frames/s each`;
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const rows: BenchRow[] = [
      {
        metric: `simulator media: CPU per stream, ${STREAMS} streams at 50 frames/s`,
        ours: `${pct(many.cpuPerStream)} (${fps(many)})`,
        baseline: `the app receiving them (@telnyx-voice/media): ${pct(many.appCpuPerStream)}`,
        ratio: many.cpuPerStream / many.appCpuPerStream,
        better: "lower",
      },
    ];
    for (const p of [50, 99]) {
      const ours = percentile(many.latencies, p);
      const baseline = percentile(alone.latencies, p);
      rows.push({
        metric: `simulator media: latency said -> app, p${p} (${STREAMS} streams; added ${ms(ours - baseline)})`,
        ours: `${ms(ours)} (${many.latencies.length} clicks)`,
        baseline: `1 stream alone: ${ms(baseline)} (${alone.latencies.length} clicks)`,
        ratio: ours / baseline,
        better: "lower",
      });
    }
    return rows;
  } finally {
    app.send("exit");
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable("media-sim", await run());
}
