// Bundle size (esbuild, minified, gzip -9) of a script that dials and of one that verifies a webhook,
// ours against the official `telnyx` package doing the same.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { gzipSize, kb } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const here = dirname(fileURLToPath(import.meta.url));
const scratch = join(here, ".tmp", "bundle");

const entries = {
  "dial-ours": `import { Telnyx } from "@telnyx-voice/client";
const telnyx = new Telnyx({ apiKey: "KEY" });
console.log(await telnyx.calls.dial({ connection_id: "1", from: "+13125550001", to: "+13125550002" }));`,
  "dial-telnyx": `import Telnyx from "telnyx";
const telnyx = new Telnyx({ apiKey: "KEY" });
console.log(await telnyx.calls.dial({ connection_id: "1", from: "+13125550001", to: "+13125550002" }));`,
  "verify-ours": `import { Webhooks } from "@telnyx-voice/webhooks";
const webhooks = new Webhooks({ publicKey: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" });
export default { fetch: async (req) => { await webhooks.verify(await req.text(), req.headers); return new Response("ok"); } };`,
  "verify-telnyx": `import { TelnyxWebhook } from "telnyx/lib/webhooks";
const webhook = new TelnyxWebhook("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
export default { fetch: async (req) => { await webhook.verify(await req.text(), Object.fromEntries(req.headers)); return new Response("ok"); } };`,
};

async function size(name: keyof typeof entries): Promise<number> {
  const file = join(scratch, `${name}.js`);
  writeFileSync(file, entries[name]);
  const out = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    absWorkingDir: here,
    nodePaths: [join(here, "node_modules")],
    // The official SDK's webhook code imports Node's `crypto` lazily, as a fallback for old Node; a browser
    // bundle leaves it out, and so do we, so the comparison stays like for like.
    external: ["crypto", "node:*"],
    logLevel: "silent",
  });
  return gzipSize(out.outputFiles[0]?.contents ?? new Uint8Array());
}

export async function run(): Promise<BenchRow[]> {
  mkdirSync(scratch, { recursive: true });
  const rows: BenchRow[] = [];
  for (const what of ["dial", "verify"] as const) {
    const ours = await size(`${what}-ours`);
    const theirs = await size(`${what}-telnyx`);
    rows.push({
      metric: `bundle of a script that ${what === "dial" ? "dials" : "verifies a webhook"} (esbuild min + gzip)`,
      ours: kb(ours),
      baseline: `telnyx: ${kb(theirs)}`,
      ratio: ours / theirs,
      better: "lower",
      ...(what === "verify" ? { target: "< 10 KB", pass: ours < 10 * 1024 } : {}),
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable("Bundle size", await run());
