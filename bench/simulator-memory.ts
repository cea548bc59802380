// Memory of a long-running simulator: the heap it holds (after GC) once call flows are over, for 1,000 and for
// 4,000 calls with a short endedCallRetentionMs (steady: ended calls and what hangs off them are forgotten), and
// for 4,000 with the default 10-minute retention (all kept). Each sample is a fresh process with --expose-gc.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./lib/table.ts";

const BATCH = 200;

async function child(calls: number, retentionMs: number): Promise<void> {
  const { startSimulator } = await import("@telnyx-voice/simulator");
  const receiver = createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end()));
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const sim = await startSimulator({ webhookUrl, answerDelayMs: 1, endedCallRetentionMs: retentionMs, apiKey: "KEY_mem" });
  const headers = { authorization: "Bearer KEY_mem", "content-type": "application/json" };
  const post = async (path: string, body: unknown) =>
    (await (await fetch(sim.url + path, { method: "POST", headers, body: JSON.stringify(body) })).json()) as {
      data: { call_control_id: string };
    };
  const gc = (globalThis as { gc?: () => void }).gc!;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const dial = (tag: string) => post("/calls", { connection_id: "c", from: "+13125550100", to: "+13125550111", command_id: tag });
  // Warm up: validators compiled, sockets pooled, before the baseline is taken.
  const warm = await dial("warm");
  await new Promise((r) => setTimeout(r, 20));
  await post(`/calls/${warm.data.call_control_id}/actions/hangup`, {});
  await sim.idle();
  const before = heap();
  for (let done = 0; done < calls; done += BATCH) {
    const ids = await Promise.all(Array.from({ length: BATCH }, (_, i) => dial(`m-${done + i}`).then((r) => r.data.call_control_id)));
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all(ids.map((id) => post(`/calls/${id}/actions/hangup`, {})));
  }
  await sim.idle();
  await new Promise((r) => setTimeout(r, Math.min(retentionMs, 1000) + 300));
  await sim.idle();
  const after = heap();
  const kept = sim.calls.list().length;
  await sim.stop();
  receiver.close();
  process.stdout.write(JSON.stringify({ heldMiB: (after - before) / 2 ** 20, kept }));
}

function sample(calls: number, retentionMs: number): { heldMiB: number; kept: number } {
  const out = spawnSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), "--child", String(calls), String(retentionMs)],
    { encoding: "utf8" },
  );
  if (out.status !== 0) throw new Error(`memory child failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as { heldMiB: number; kept: number };
}

export async function run(): Promise<BenchRow[]> {
  const small = sample(1000, 100);
  const large = sample(4000, 100);
  const keptAll = sample(4000, 600_000);
  const mib = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)} MiB`;
  return [
    {
      metric: "simulator: heap held after 4,000 call flows, endedCallRetentionMs 100 ms (after GC)",
      ours: `${mib(large.heldMiB)} (${large.kept} calls kept)`,
      baseline: `after 1,000 call flows: ${mib(small.heldMiB)} (${small.kept} kept)`,
      ratio: large.heldMiB / small.heldMiB,
      better: "lower",
      target: "<= 1.50x",
      pass: large.heldMiB <= small.heldMiB * 1.5 && large.kept === 0,
    },
    {
      metric: "simulator: heap held after 4,000 call flows, default retention (10 min: every ended call kept)",
      ours: `${mib(keptAll.heldMiB)} (${keptAll.kept} calls kept)`,
      baseline: `retention 100 ms: ${mib(large.heldMiB)}`,
      ratio: keptAll.heldMiB / large.heldMiB,
      better: "lower",
    },
  ];
}

if (process.argv[2] === "--child") await child(Number(process.argv[3]), Number(process.argv[4]));
