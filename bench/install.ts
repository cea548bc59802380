// Install size: what `npm install` puts in a user's node_modules (bytes of every file), ours installed from
// the tarballs `pnpm pack` makes, the official `telnyx` package from the registry; and how many copies of the
// sliced spec the simulator's tarball carries.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kb } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const scratch = join(here, ".tmp", "install");
const OFFICIAL = "telnyx@7.24.0";

/** Bytes of every file under `dir`, as `du -sb` counts them (apparent size). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function pack(name: string): string {
  const out = join(scratch, "tarballs");
  mkdirSync(out, { recursive: true });
  const printed = execFileSync("pnpm", ["pack", "--pack-destination", out], {
    cwd: join(root, "packages", name),
    encoding: "utf8",
  });
  const file = printed.trim().split("\n").pop() ?? "";
  return file.startsWith("/") ? file : join(out, file);
}

/** A fresh app with `specs` installed by npm; returns the bytes of its node_modules. */
function install(app: string, specs: string[]): number {
  const dir = join(scratch, app);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: app, private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...specs], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return bytesUnder(join(dir, "node_modules"));
}

/** A long plain sentence of the sliced spec: it survives bundling verbatim wherever the spec is inlined. */
function specMarker(): string {
  const slice = readFileSync(join(root, "packages/simulator/src/generated/voice-slice.json"), "utf8");
  const sentences = slice.match(/[A-Za-z][A-Za-z ,]{80,}/g) ?? [];
  const marker = sentences.sort((a, b) => b.length - a.length)[0];
  if (!marker) throw new Error("no plain sentence found in the sliced spec");
  return marker;
}

export async function run(): Promise<BenchRow[]> {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const tgz = Object.fromEntries(["types", "client", "webhooks", "simulator"].map((p) => [p, pack(p)]));
  const official = install("official", [OFFICIAL]);
  const rows: BenchRow[] = [];
  const goals = [
    { what: "client + types", specs: [tgz.types, tgz.client], goal: 1.2e6 },
    { what: "webhooks + types", specs: [tgz.types, tgz.webhooks], goal: 1.0e6 },
  ];
  for (const { what, specs, goal } of goals) {
    const bytes = install(what.replace(/\W+/g, "-"), specs as string[]);
    rows.push({
      metric: `npm install size: ${what}, with dependencies (bytes of node_modules)`,
      ours: `${(bytes / 1e6).toFixed(2)} MB`,
      baseline: `${OFFICIAL}: ${(official / 1e6).toFixed(2)} MB`,
      ratio: bytes / official,
      better: "lower",
      target: `<= ${(goal / 1e6).toFixed(1)} MB`,
      pass: bytes <= goal,
    });
  }

  const unpacked = join(scratch, "simulator-tarball");
  mkdirSync(unpacked, { recursive: true });
  execFileSync("tar", ["-xzf", tgz.simulator as string, "-C", unpacked]);
  const marker = specMarker();
  const copies = filesUnder(unpacked).filter((f) => readFileSync(f, "utf8").includes(marker));
  rows.push({
    metric: "simulator tarball: files carrying the sliced spec",
    ours: `${copies.length} (${kb(statSync(tgz.simulator as string).size)} packed)`,
    baseline: "one copy",
    ratio: copies.length,
    better: "lower",
    target: "= 1",
    pass: copies.length === 1,
  });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable("Install size", await run());
