// @telnyx-voice/client against raw fetch and the official `telnyx` SDK, side by side in one run:
//  (a) sequential dials to a local HTTP server (in its own process, so only client-side cost differs). The
//      client sends with fetch, as raw fetch does, so the ratio is the client's own cost per dial: the request
//      plan and checks, openapi-fetch, an abort signal and deadline per attempt, the answer's checks;
//  (b) what `tsc --noEmit` adds over an empty file for a consumer using dial, answer, transfer,
//      hangup and listActiveCalls, with skipLibCheck on and off.
// Needs packages/client built (`pnpm --filter @telnyx-voice/client build`).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Telnyx } from "@telnyx-voice/client";
import OfficialTelnyx from "telnyx";
import { interleaved, median, timeCommand } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const here = dirname(fileURLToPath(import.meta.url));
const API_KEY = "KEY_BENCH_0000";
const DIAL = { connection_id: "1494404757140276705", from: "+13125550001", to: "+13125550002" };

const SERVER = `
const http = require("node:http");
const body = JSON.stringify({ data: { call_control_id: "v3:bench", call_leg_id: "leg", call_session_id: "sess", is_alive: false, record_type: "call" } });
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

export async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/v2`, child };
}

export function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

export async function timeDials(dial: () => Promise<unknown>, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await dial();
  return (performance.now() - start) / count;
}

/**
 * Blocks of sequential dials, one block per case, many rounds: each round's ratio compares blocks run
 * seconds apart, and the median of those ratios resists a noisy neighbour. Rounds walk through every
 * order of the cases, so each case follows each other case equally often: with a plain rotation the
 * official SDK ran just before our client in 2 rounds of 3, leaving its garbage to be collected on our time.
 */
export async function dialRows(dialsPerBlock = 100, rounds = 90): Promise<BenchRow[]> {
  const { url, child } = await startServer();
  try {
    const ours = new Telnyx({ apiKey: API_KEY, baseURL: url });
    const official = new OfficialTelnyx({ apiKey: API_KEY, baseURL: url });
    const cases: Record<string, () => Promise<unknown>> = {
      client: () => ours.calls.dial(DIAL),
      fetch: async () => {
        const res = await fetch(`${url}/calls`, {
          method: "POST",
          headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json" },
          body: JSON.stringify(DIAL),
        });
        if (!res.ok) throw new Error(`status ${res.status}`);
        return res.json();
      },
      telnyx: () => official.calls.dial(DIAL),
      // Raw fetch made abortable as the client's attempts are (an AbortController and a deadline per request):
      // what closing timed-out attempts costs by itself, for reference.
      abortable: async () => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 60_000);
        try {
          const res = await fetch(`${url}/calls`, {
            method: "POST",
            headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json" },
            body: JSON.stringify(DIAL),
            redirect: "manual",
            signal: controller.signal,
          });
          if (!res.ok) throw new Error(`status ${res.status}`);
          return await res.json();
        } finally {
          clearTimeout(timer);
        }
      },
    };
    const names = Object.keys(cases);
    for (const name of names) await timeDials(cases[name] as () => Promise<unknown>, 200); // warm-up
    const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const orders = permutations(names);
    for (let round = 0; round < rounds; round++) {
      for (const name of orders[round % orders.length] as string[]) {
        samples[name]?.push(await timeDials(cases[name] as () => Promise<unknown>, dialsPerBlock));
      }
    }
    const at = (name: string, i: number) => samples[name]?.[i] as number;
    const pairedRatio = (a: string, b: string) => median(Array.from({ length: rounds }, (_, i) => at(a, i) / at(b, i)));
    const t = Object.fromEntries(names.map((n) => [n, median(samples[n] as number[])])) as Record<string, number>;
    const us = (v: number) => `${(v * 1000).toFixed(0)} us/dial`;
    const client = t.client as number;
    const raw = t.fetch as number;
    const sdk = t.telnyx as number;
    const abortable = t.abortable as number;
    const vsFetch = pairedRatio("client", "fetch");
    const dials = `${dialsPerBlock} x ${rounds} sequential dials`;
    return [
      {
        metric: `dial, ${dials}: client vs raw fetch`,
        ours: us(client),
        baseline: `fetch: ${us(raw)}`,
        ratio: vsFetch,
        better: "lower",
        target: "<= 1.15x",
        pass: vsFetch <= 1.15,
      },
      {
        metric: `dial, ${dials}: client vs official telnyx SDK`,
        ours: us(client),
        baseline: `telnyx: ${us(sdk)}`,
        ratio: pairedRatio("client", "telnyx"),
        better: "lower",
      },
      {
        metric: `dial, ${dials}: client vs raw fetch with an abort signal and deadline (reference)`,
        ours: us(client),
        baseline: `abortable fetch: ${us(abortable)}`,
        ratio: pairedRatio("client", "abortable"),
        better: "lower",
      },
      {
        metric: `dial, ${dials}: official telnyx SDK vs raw fetch (reference)`,
        ours: `telnyx: ${us(sdk)}`,
        baseline: `fetch: ${us(raw)}`,
        ratio: pairedRatio("telnyx", "fetch"),
        better: "lower",
      },
    ];
  } finally {
    child.kill();
  }
}

const CONSUMERS: Record<string, string> = {
  empty: "export const x = 1;\n",
  ours: `import { Telnyx } from "@telnyx-voice/client";
const telnyx = new Telnyx({ apiKey: "KEY" });
export async function main(): Promise<void> {
  const res = await telnyx.calls.dial({ connection_id: "c", from: "+13125550001", to: "+13125550002" });
  const id: string = res.data.call_control_id;
  await telnyx.calls.actions.answer(id);
  await telnyx.calls.actions.transfer(id, { to: "+13125550003" });
  await telnyx.calls.actions.hangup(id);
  for await (const call of telnyx.connections.listActiveCalls("conn")) console.log(call.call_control_id);
}
`,
  // The official methods take a body for answer and hangup (\`{}\` when there is nothing to say).
  telnyx: `import Telnyx from "telnyx";
const telnyx = new Telnyx({ apiKey: "KEY" });
export async function main(): Promise<void> {
  const res = await telnyx.calls.dial({ connection_id: "c", from: "+13125550001", to: "+13125550002" });
  const id: string = res.data?.call_control_id ?? "";
  await telnyx.calls.actions.answer(id, {});
  await telnyx.calls.actions.transfer(id, { to: "+13125550003" });
  await telnyx.calls.actions.hangup(id, {});
  for await (const call of telnyx.connections.listActiveCalls("conn")) console.log(call.call_control_id);
}
`,
};

export function typecheckRows(rounds = 3): BenchRow[] {
  // The root's TypeScript (5.9), as a consumer of the repo would run it.
  const tsc = createRequire(join(here, "..", "package.json")).resolve("typescript/bin/tsc");
  const dir = join(here, ".tmp", "client-typecheck");
  mkdirSync(dir, { recursive: true });
  const cases: Record<string, () => number> = {};
  for (const [name, source] of Object.entries(CONSUMERS)) {
    writeFileSync(join(dir, `${name}.ts`), source);
    for (const skipLibCheck of [true, false]) {
      const config = join(dir, `tsconfig.${name}.${skipLibCheck ? "skip" : "full"}.json`);
      const compilerOptions = {
        target: "ES2022",
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck,
        types: [],
      };
      writeFileSync(config, JSON.stringify({ compilerOptions, files: [`${name}.ts`] }, null, 2));
      cases[`${name}.${skipLibCheck ? "skip" : "full"}`] = () => timeCommand(process.execPath, [tsc, "-p", config], dir);
    }
  }
  const t = interleaved(cases, rounds);
  const rows: BenchRow[] = [];
  for (const mode of ["skip", "full"] as const) {
    const empty = t[`empty.${mode}`] as number;
    const ours = Math.max((t[`ours.${mode}`] as number) - empty, 1);
    const official = Math.max((t[`telnyx.${mode}`] as number) - empty, 1);
    const target = mode === "skip" ? 0.5 : 1;
    const s = (v: number) => `+${(v / 1000).toFixed(2)} s`;
    rows.push({
      metric: `tsc --noEmit added over an empty file, skipLibCheck ${mode === "skip" ? "on" : "off"}`,
      ours: s(ours),
      baseline: `telnyx: ${s(official)} (empty file: ${(empty / 1000).toFixed(2)} s)`,
      ratio: ours / official,
      better: "lower",
      target: `<= ${target.toFixed(2)}x`,
      pass: ours / official <= target,
    });
  }
  return rows;
}

export async function run(): Promise<BenchRow[]> {
  return [...(await dialRows()), ...typecheckRows()];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  printTable("@telnyx-voice/client", await run());
}
