// Small measuring helpers shared by the benchmarks: interleaved rounds, medians, gzip sizes.
import { spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wall time of a command, in ms. */
export function timeCommand(command: string, args: string[], cwd: string): number {
  const start = performance.now();
  const run = spawnSync(command, args, { cwd, stdio: "pipe" });
  const elapsed = performance.now() - start;
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${run.stderr}`);
  return elapsed;
}

/**
 * Runs each case once per round, in a rotating order, for `rounds` rounds: side by side, so a noisy
 * neighbour slows every case alike. Returns the median per case.
 */
export function interleaved(cases: Record<string, () => number>, rounds: number): Record<string, number> {
  const names = Object.keys(cases);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as string;
      samples[name]?.push((cases[name] as () => number)());
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n] as number[])]));
}

export function gzipSize(code: string | Uint8Array): number {
  return gzipSync(code, { level: 9 }).length;
}

export const ms = (v: number) => `${v.toFixed(1)} ms`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
