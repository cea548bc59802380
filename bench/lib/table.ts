// The one shape every benchmark reports in: a row per comparison, measured side by side in one run.
export interface BenchRow {
  /** What was measured, e.g. "verify(): verifications/s". */
  metric: string;
  /** Our figure, human-readable with its unit. */
  ours: string;
  /** What it is compared with, and its figure. */
  baseline: string;
  /** ours / baseline in the direction stated by `better` ("1.04x"). */
  ratio: number;
  /** Which direction is good for the ratio: "lower" (time, size) or "higher" (throughput). */
  better: "lower" | "higher";
  /** The target, e.g. "<= 1.10x", if the issue sets one. */
  target?: string;
  /** Whether the target was met (undefined when there is no target). */
  pass?: boolean;
}

export function printTable(title: string, rows: BenchRow[]): void {
  const header = ["metric", "ours", "baseline", "ratio", "target", "ok"];
  const body = rows.map((r) => [
    r.metric,
    r.ours,
    r.baseline,
    `${r.ratio.toFixed(2)}x`,
    r.target ?? "",
    r.pass === undefined ? "" : r.pass ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of body) console.log(line(row));
}
