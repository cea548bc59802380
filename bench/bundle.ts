// Bundle size (esbuild, minified, gzip -9) of a script that dials and of a Worker that verifies a webhook,
// ours against the official `telnyx` package doing the same. The Worker is bundled as wrangler bundles one
// (conditions workerd, worker, browser); a browser bundle of the same verifier, which carries the
// @noble/ed25519 fallback for browsers without Ed25519 in Web Crypto, is reported beside it.
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

const WORKER_CONDITIONS = ["workerd", "worker", "browser"];

async function size(name: keyof typeof entries, conditions?: string[]): Promise<number> {
  const file = join(scratch, `${name}.js`);
  writeFileSync(file, entries[name]);
  const out = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    ...(conditions ? { conditions } : {}),
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
  const dial = { ours: await size("dial-ours"), theirs: await size("dial-telnyx") };
  const worker = { ours: await size("verify-ours", WORKER_CONDITIONS), theirs: await size("verify-telnyx", WORKER_CONDITIONS) };
  const browser = await size("verify-ours");
  return [
    {
      metric: "bundle of a script that dials (esbuild min + gzip)",
      ours: kb(dial.ours),
      baseline: `telnyx: ${kb(dial.theirs)}`,
      ratio: dial.ours / dial.theirs,
      better: "lower",
      target: "<= 12 KB",
      pass: dial.ours <= 12 * 1024,
    },
    {
      metric: "bundle of a Worker that verifies a webhook (esbuild min + gzip, wrangler's conditions)",
      ours: kb(worker.ours),
      baseline: `telnyx: ${kb(worker.theirs)}`,
      ratio: worker.ours / worker.theirs,
      better: "lower",
      target: "< 10 KB",
      pass: worker.ours < 10 * 1024,
    },
    {
      metric: "the same verifier bundled for browsers (with the @noble/ed25519 fallback)",
      ours: kb(browser),
      baseline: `the Worker bundle: ${kb(worker.ours)}`,
      ratio: browser / worker.ours,
      better: "lower",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printTable("Bundle size", await run());
