// Diagnostic for bench/simulator.ts's p95 (not part of `pnpm bench`): the same 200-call burst, with each
// command's latency by kind, event-loop delay, and when the client called connect() versus when the
// simulator's server accepted (see simulator-diag-server.ts). It showed all 200 connect() calls within
// 0.5 s but accepts spread over seconds, one per event-loop turn (libuv#3696), while the server spent
// ~0.5 ms per dial once accepted. MODE=raw uses fetch instead of @telnyx-voice/client; WARM=1 runs one call
// first. Run: npx tsx bench/simulator-diag.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { connectLog, connLog, serverLog } from "./simulator-diag-server.ts";
const { Telnyx } = await import("@telnyx-voice/client");
const { startSimulator } = await import("@telnyx-voice/simulator");
import { type WebhookEvent, Webhooks } from "@telnyx-voice/webhooks";

const N = Number(process.env.N ?? 200);
const MODE = process.env.MODE ?? "client";
const sim = await startSimulator({ apiKey: "KEY_bench", answerDelayMs: 20, mediaDurationMs: 20, redelivery: { maxAttempts: 5, baseDelayMs: 50 } });
const telnyx = new Telnyx({ apiKey: "KEY_bench", baseURL: sim.url, maxRetries: 0 });
const webhooks = new Webhooks({ publicKey: sim.publicKey });
const seen = new Map<string, Set<string>>();
const waiters = new Map<string, Array<{ type: string; resolve: () => void }>>();
let recvConns = 0;
const server = createServer(
  webhooks.nodeHandler((event: WebhookEvent) => {
    const id = (event.data.payload as { call_control_id?: string }).call_control_id ?? "";
    const types = seen.get(id) ?? new Set<string>();
    types.add(event.data.event_type);
    seen.set(id, types);
    const list = waiters.get(id) ?? [];
    for (const w of list.filter((x) => x.type === event.data.event_type)) w.resolve();
    waiters.set(id, list.filter((x) => x.type !== event.data.event_type));
  }),
);
server.on("connection", () => recvConns++);
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
const waitFor = (id: string, type: string) =>
  new Promise<void>((resolve) => {
    if (seen.get(id)?.has(type)) return resolve();
    waiters.set(id, [...(waiters.get(id) ?? []), { type, resolve }]);
  });
const raw = async (path: string, body: unknown) => {
  const res = await fetch(sim.url + path, { method: "POST", headers: { authorization: "Bearer KEY_bench", "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await res.json()) as { data: { call_control_id: string } };
};
const rows: Array<{ kind: string; t0: number; ms: number }> = [];
let start = 0;
const timed = async <T>(kind: string, fn: () => Promise<T>) => {
  const t0 = performance.now();
  const r = await fn();
  rows.push({ kind, t0: t0 - start, ms: performance.now() - t0 });
  return r;
};
async function one(i: number) {
  const to = `+1202555${String(1000 + i).padStart(4, "0")}`;
  const body = { connection_id: "bench", from: "+12025550100", to, webhook_url: url };
  const res = MODE === "raw" ? await timed("dial", () => raw("/calls", body)) : await timed("dial", () => telnyx.calls.dial(body));
  const id = res.data.call_control_id;
  await waitFor(id, "call.answered");
  const sp = { payload: "Benchmark", voice: "female" as const };
  if (MODE === "raw") await timed("speak", () => raw(`/calls/${id}/actions/speak`, sp));
  else await timed("speak", () => telnyx.calls.actions.speak(id, sp));
  await waitFor(id, "call.speak.ended");
  if (MODE === "raw") await timed("hangup", () => raw(`/calls/${id}/actions/hangup`, {}));
  else await timed("hangup", () => telnyx.calls.actions.hangup(id));
  await waitFor(id, "call.hangup");
}
if (process.env.WARM) {
  for (let i = 0; i < 1; i++) await one(9000 + i);
  rows.length = 0;
}
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
start = performance.now();
await Promise.all(Array.from({ length: N }, (_, i) => one(i)));
const total = performance.now() - start;
h.disable();
await sim.idle();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const all = rows.map((r) => r.ms);
console.log(`mode=${MODE} warm=${!!process.env.WARM} total ${total.toFixed(0)} ms, ${(N / (total / 1000)).toFixed(1)} calls/s, p50 ${pct(all, 50).toFixed(1)} p95 ${pct(all, 95).toFixed(1)} max ${Math.max(...all).toFixed(0)}`);
for (const k of ["dial", "speak", "hangup"]) {
  const xs = rows.filter((r) => r.kind === k).map((r) => r.ms);
  console.log(`  ${k}: p50 ${pct(xs, 50).toFixed(1)} p95 ${pct(xs, 95).toFixed(1)} max ${Math.max(...xs).toFixed(0)}`);
}
console.log(`  event loop delay: p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(0)} ms; receiver connections ${recvConns}`);
const slow = rows.filter((r) => r.ms > 500).sort((a, b) => a.t0 - b.t0);
console.log(`  slow (>500ms): ${slow.length}; e.g.`, slow.slice(0, 8).map((r) => `${r.kind}@${r.t0.toFixed(0)}:${r.ms.toFixed(0)}`).join(" "));
const hist = new Map<number, number>();
for (const r of rows) hist.set(Math.floor(r.ms / 250) * 250, (hist.get(Math.floor(r.ms / 250) * 250) ?? 0) + 1);
console.log("  histogram (250 ms buckets):", [...hist.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(" "));
const simLog = serverLog.filter((r) => r.server === 0 && r.arrive >= start);
const dials = simLog.filter((r) => r.url === "/v2/calls");
console.log(`  sim: ${dials.length} dials; arrival spread ${(Math.min(...dials.map((d) => d.arrive)) - start).toFixed(0)}..${(Math.max(...dials.map((d) => d.arrive)) - start).toFixed(0)} ms; server time p50 ${pct(dials.map((d) => d.finish - d.arrive), 50).toFixed(1)} max ${Math.max(...dials.map((d) => d.finish - d.arrive)).toFixed(0)}`);
const conns = connLog.filter((c) => c.server === 0 && c.at >= start);
console.log(`  sim connections accepted during run: ${conns.length}; first ${(Math.min(...conns.map((c) => c.at)) - start).toFixed(0)} last ${(Math.max(...conns.map((c) => c.at)) - start).toFixed(0)} ms`);
const arr = new Map<number, number>();
for (const d of dials) arr.set(Math.floor((d.arrive - start) / 500) * 500, (arr.get(Math.floor((d.arrive - start) / 500) * 500) ?? 0) + 1);
console.log("  dial arrivals (500 ms buckets):", [...arr.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(" "));
const ca = new Map<number, number>();
for (const c of conns) ca.set(Math.floor((c.at - start) / 500) * 500, (ca.get(Math.floor((c.at - start) / 500) * 500) ?? 0) + 1);
console.log("  sim accepts (500 ms buckets):", [...ca.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(" "));
const cc = connectLog.filter((c) => c.port === sim.port && c.at >= start);
const cb = new Map<number, number>();
for (const c of cc) cb.set(Math.floor((c.at - start) / 500) * 500, (cb.get(Math.floor((c.at - start) / 500) * 500) ?? 0) + 1);
console.log(`  client connects to sim: ${cc.length}`, [...cb.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(" "));
await sim.stop();
server.closeAllConnections();
server.close();
