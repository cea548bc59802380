// `pnpm bench`: every benchmark, one table. Each row is a ratio measured side by side in one run.
import { cpus, totalmem } from "node:os";
import { type BenchRow, printTable } from "./lib/table.ts";

interface BenchModule {
  run(): Promise<BenchRow[]>;
}

const suites = [
  "client",
  "webhooks",
  "otel",
  "startup",
  "bundle",
  "install",
  "regenerate",
  "simulator",
  "flows",
  "router",
  "router-scale",
  "stall",
  "redis-cluster",
  "media-parse",
  "media-sim",
] as const;
const only = process.argv.slice(2);

const rows: BenchRow[] = [];
const failures: string[] = [];
for (const suite of suites) {
  if (only.length && !only.includes(suite)) continue;
  process.stderr.write(`running ${suite}...\n`);
  try {
    const mod = (await import(`./${suite}.ts`)) as BenchModule;
    rows.push(...(await mod.run()));
  } catch (error) {
    failures.push(`${suite}: ${(error as Error).message}`);
  }
}

const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
printTable(`telnyx-voice benchmarks, ${new Date().toISOString().slice(0, 10)}, ${machine}`, rows);
for (const failure of failures) console.error(`FAILED ${failure}`);
const missed = rows.filter((r) => r.pass === false);
for (const row of missed)
  console.error(`target missed: ${row.metric} (${row.ratio.toFixed(2)}x, target ${row.target})`);
process.exit(failures.length ? 1 : 0);
