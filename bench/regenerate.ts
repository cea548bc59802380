// Regeneration time: `pnpm generate --check` (read, YAML parse, overlay, slice, print, compare) on the
// pinned 4 MB spec, against the 10 s budget and against the YAML parse alone.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { interleaved, median, ms, timeCommand } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function run(rounds = 3): Promise<BenchRow[]> {
  const pin = JSON.parse(readFileSync(join(root, "spec", "pin.json"), "utf8")) as { file: string };
  const specText = readFileSync(join(root, "..", "shared", "telnyx-openapi", pin.file), "utf8");
  const parse: number[] = [];
  const t = interleaved(
    {
      generate: () => timeCommand(process.execPath, ["--import", "tsx", "scripts/generate.ts", "--check"], root),
      parse: () => {
        const start = performance.now();
        yaml.load(specText);
        const elapsed = performance.now() - start;
        parse.push(elapsed);
        return elapsed;
      },
    },
    rounds,
  );
  const generate = t.generate as number;
  return [
    {
      metric: "regeneration (pnpm generate --check, whole process)",
      ours: ms(generate),
      baseline: "budget: 10000 ms",
      ratio: generate / 10_000,
      better: "lower",
      target: "< 10 s",
      pass: generate < 10_000,
    },
    {
      metric: "regeneration vs the YAML parse alone",
      ours: ms(generate),
      baseline: `js-yaml parse: ${ms(median(parse))}`,
      ratio: generate / median(parse),
      better: "lower",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printTable("Regeneration", await run());
