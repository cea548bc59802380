// Runs one fixture module (test/fixtures/*.ts: `export async function run(input): Promise<output>`) in a
// runtime that has only fetch and Web Crypto: headless Chromium (from @sparticuz/chromium, or the browser
// CHROMIUM_PATH names; driven by playwright-core),
// Deno and Bun (from their npm packages). Each fixture is bundled by esbuild with that runtime's export
// conditions and no Node built-ins, so a stray `node:` import fails the bundle instead of passing quietly.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const scratch = join(here, "..", ".tmp");

export type Runtime = "chromium" | "deno" | "bun";
export const runtimes: Runtime[] = ["chromium", "deno", "bun"];

const conditions: Record<Runtime, string[]> = {
  chromium: ["browser"],
  deno: ["deno", "worker"],
  bun: ["bun", "worker"],
};

async function bundle(fixture: string, runtime: Runtime, wrapper: string): Promise<string> {
  mkdirSync(scratch, { recursive: true });
  const entry = join(scratch, `${fixture}.${runtime}.entry.js`);
  writeFileSync(entry, `import { run } from ${JSON.stringify(join(here, "fixtures", `${fixture}.ts`))};\n${wrapper}`);
  const out = join(scratch, `${fixture}.${runtime}.js`);
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: conditions[runtime],
    target: "es2022",
    logLevel: "error",
  });
  return out;
}

/** A loopback HTTP server: serves the page and the bundle to Chromium, and `api` for every other path. */
export async function serve(api: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; files: Map<string, string> }> {
  const files = new Map<string, string>();
  const server = createServer((req, res) => {
    const file = files.get(req.url ?? "");
    if (file !== undefined) {
      res.writeHead(200, { "content-type": req.url?.endsWith(".js") ? "text/javascript" : "text/html" });
      res.end(file);
      return;
    }
    api(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, files };
}

/**
 * Registers a page origin for the current test file (404 for anything but the fixtures), and closes it and
 * the browser after the file. Returns a getter: the origin exists only once beforeAll has run.
 */
export function pageOrigin(): () => { url: string; files: Map<string, string> } {
  let origin: Awaited<ReturnType<typeof serve>> | undefined;
  beforeAll(async () => {
    origin = await serve((_req, res) => {
      res.writeHead(404);
      res.end();
    });
  });
  afterAll(async () => {
    await closeBrowser();
    await new Promise((resolve) => origin?.server.close(resolve));
  });
  return () => {
    if (!origin) throw new Error("pageOrigin() is only ready inside tests");
    return origin;
  };
}

let browser: Browser | undefined;

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

export async function runIn<I, O>(runtime: Runtime, fixture: string, input: I, origin?: { url: string; files: Map<string, string> }): Promise<O> {
  if (runtime === "chromium") {
    if (!origin) throw new Error("chromium fixtures need a page origin (serve())");
    const file = await bundle(fixture, runtime, "globalThis.__run = run;");
    const { readFileSync } = await import("node:fs");
    origin.files.set(`/${fixture}.js`, readFileSync(file, "utf8"));
    origin.files.set(`/${fixture}.html`, `<!doctype html><script type="module" src="/${fixture}.js"></script>`);
    browser ??= await chromium.launch({
      executablePath: inject("chromiumPath"), // see browser-setup.ts
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage();
    try {
      await page.goto(`${origin.url}/${fixture}.html`);
      await page.waitForFunction(() => typeof (globalThis as { __run?: unknown }).__run === "function");
      return (await page.evaluate(
        (arg) => (globalThis as unknown as { __run: (i: unknown) => Promise<unknown> }).__run(arg),
        input as unknown,
      )) as O;
    } finally {
      await page.close();
    }
  }
  const file = await bundle(
    fixture,
    runtime,
    "const input = JSON.parse(globalThis.Deno ? Deno.env.get('FIXTURE_INPUT') : process.env.FIXTURE_INPUT);\n" +
      "console.log(JSON.stringify(await run(input)));",
  );
  const bin = join(here, "..", "node_modules", ".bin", runtime);
  const args = runtime === "deno" ? ["run", "--allow-net=127.0.0.1", "--allow-env=FIXTURE_INPUT", "--no-prompt", file] : [file];
  return await new Promise<O>((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, FIXTURE_INPUT: JSON.stringify(input), NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${runtime} exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as O);
      } catch {
        reject(new Error(`${runtime} printed no JSON result: ${out} ${err}`));
      }
    });
  });
}
