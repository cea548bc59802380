// Cold import time: a fresh `node` that imports the package and exits, against `node -e 0` and
// against the official `telnyx` package doing the same.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { interleaved, ms, timeCommand } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const here = dirname(fileURLToPath(import.meta.url));
const node = (code: string) => () => timeCommand(process.execPath, ["--input-type=module", "-e", code], here);

export async function run(rounds = 15): Promise<BenchRow[]> {
  const t = interleaved(
    {
      empty: node("0"),
      client: node('await import("@telnyx-voice/client")'),
      webhooks: node('await import("@telnyx-voice/webhooks")'),
      telnyx: node('await import("telnyx")'),
    },
    rounds,
  );
  const added = (v: number) => Math.max(v - (t.empty as number), 0.1);
  const rows: BenchRow[] = [];
  for (const name of ["client", "webhooks"] as const) {
    const ours = t[name] as number;
    rows.push({
      metric: `cold import @telnyx-voice/${name} (wall, node)`,
      ours: ms(ours),
      baseline: `node -e 0: ${ms(t.empty as number)}`,
      ratio: ours / (t.empty as number),
      better: "lower",
    });
    rows.push({
      metric: `cold import @telnyx-voice/${name}, time added over node -e 0`,
      ours: ms(added(ours)),
      baseline: `telnyx: ${ms(added(t.telnyx as number))}`,
      ratio: added(ours) / added(t.telnyx as number),
      better: "lower",
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable("Cold import", await run());
