// The CLI: flags parse into options, bad flags are explained, and the real process prints the banner
// (base URL, public key, webhook URL; never the API key) and serves the API on 127.0.0.1.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { banner } from "../src/cli/banner.js";
import { parseCli } from "../src/cli/options.js";
import { startSimulator } from "../src/index.js";

describe("parseCli", () => {
  it("maps flags to options, with 127.0.0.1 and port 8787 by default", () => {
    expect(parseCli(["--webhook-url", "http://127.0.0.1:3000/hooks", "--answer-delay-ms", "10"], {})).toMatchObject({
      host: "127.0.0.1",
      port: 8787,
      webhookUrl: "http://127.0.0.1:3000/hooks",
      answerDelayMs: 10,
    });
  });

  it("maps the timing flags of machine detection, recordings and streams", () => {
    const argv = ["--machine-detection-ms", "20", "--machine-greeting-ms", "30"];
    argv.push("--recording-saved-delay-ms", "40", "--stream-connect-timeout-ms", "500");
    expect(parseCli(argv, {})).toMatchObject({
      machineDetectionMs: 20,
      machineGreetingMs: 30,
      recordingSavedDelayMs: 40,
      streamConnectTimeoutMs: 500,
    });
    expect(() => parseCli(["--machine-greeting-ms", "soon"], {})).toThrow(
      '--machine-greeting-ms must be a number, got "soon"',
    );
  });

  it("takes the API key from TELNYX_API_KEY when no flag is given", () => {
    expect(parseCli([], { TELNYX_API_KEY: "KEY_env" })).toMatchObject({ apiKey: "KEY_env" });
  });

  it("parses fault flags", () => {
    const options = parseCli(
      ["--fault-rate", "0.2", "--fault-seed", "9", "--faults", '[{"route":"SpeakCall","fault":{"type":"drop"}}]'],
      {},
    );
    expect(options).toMatchObject({
      faults: { rate: 0.2, seed: 9, rules: [{ route: "SpeakCall", fault: { type: "drop" } }] },
    });
  });

  it("explains bad input", () => {
    expect(() => parseCli(["--port", "abc"], {})).toThrow('--port must be a number, got "abc"');
    expect(() => parseCli(["--faults", "{"], {})).toThrow("--faults must be a JSON array");
    expect(() => parseCli(["--nope"], {})).toThrow();
  });

  it("parses the delivery flags, and leaves the ones not given to the defaults", () => {
    expect(
      parseCli(["--duplicate-rate", "0.2", "--concurrency", "4", "--jitter-ms", "150", "--seed", "9"], {}),
    ).toMatchObject({ delivery: { duplicateRate: 0.2, concurrency: 4, jitterMs: 150, seed: 9 } });
    expect(parseCli(["--jitter-ms", "50"], {})).toMatchObject({ delivery: { jitterMs: 50 } });
    expect((parseCli(["--jitter-ms", "50"], {}) as { delivery: object }).delivery).not.toHaveProperty("seed");
    expect(parseCli([], {})).toMatchObject({ delivery: undefined });
    expect(parseCli(["--ended-call-retention-ms", "1000"], {})).toMatchObject({ endedCallRetentionMs: 1000 });
    expect(() => parseCli(["--concurrency", "many"], {})).toThrow('--concurrency must be a number, got "many"');
  });

  it("parses the media delivery flags into the media option", () => {
    const argv = ["--media-jitter-ms", "30", "--media-reorder-rate", "0.1", "--media-duplicate-rate", "0.05"];
    expect(parseCli([...argv, "--media-seed", "4"], {})).toMatchObject({
      media: { jitterMs: 30, reorderRate: 0.1, duplicateRate: 0.05, seed: 4 },
    });
    expect(parseCli([], {})).toMatchObject({ media: undefined });
    expect(() => parseCli(["--media-jitter-ms", "lots"], {})).toThrow('--media-jitter-ms must be a number, got "lots"');
  });

  it("says where the API key came from", () => {
    expect(parseCli([], {})).toMatchObject({ apiKeyFrom: "default" });
    expect(parseCli([], { TELNYX_API_KEY: "KEY_env" })).toMatchObject({ apiKeyFrom: "TELNYX_API_KEY" });
    expect(parseCli(["--api-key", "KEY_flag"], { TELNYX_API_KEY: "KEY_env" })).toMatchObject({
      apiKey: "KEY_flag",
      apiKeyFrom: "--api-key",
    });
  });

  it("the banner prints the lines to export; the default key, but never a key someone chose", () => {
    const info = { url: "http://127.0.0.1:1/v2", publicKey: "PUB", webhookUrl: undefined, delivery: undefined };
    const withDefault = banner({ ...info, apiKeyFrom: "default" });
    expect(withDefault).toContain("export TELNYX_BASE_URL=http://127.0.0.1:1/v2");
    expect(withDefault).toContain("export TELNYX_PUBLIC_KEY=PUB");
    expect(withDefault).toContain("export TELNYX_API_KEY=KEY_SIMULATOR");
    expect(withDefault).toMatch(/Delivery\s+polite/);
    const withOwn = banner({ ...info, apiKeyFrom: "--api-key", delivery: { duplicateRate: 0.1, jitterMs: 200 } });
    expect(withOwn).not.toContain("export TELNYX_API_KEY");
    expect(withOwn).toContain("TELNYX_API_KEY: the key given by --api-key (not shown)");
    expect(withOwn).toMatch(/Delivery\s+duplicates 10%, up to 1 of a call's events at once, jitter 0-200 ms, seed 1/);
  });
});

describe("the bin", () => {
  it("is a committed file that says what to do when the CLI is not built", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-bin-"));
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "package.json"), '{"type":"module"}');
    const bin = fileURLToPath(new URL("../bin/telnyx-voice-simulator.js", import.meta.url));
    copyFileSync(bin, join(dir, "bin", "telnyx-voice-simulator.js"));
    const run = spawnSync(process.execPath, [join(dir, "bin", "telnyx-voice-simulator.js")], { encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the simulator is not built yet; run `pnpm build`");
    expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});

describe("the CLI process", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid && child.exitCode === null) child.kill("SIGTERM");
  });

  it("prints the banner without the key and serves the API with bearer auth", async () => {
    const cli = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
    const secret = "KEY_cli_secret_4821";
    child = spawn(tsx, [cli, "--port", "0", "--api-key", secret, "--webhook-url", "http://127.0.0.1:9/hooks"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /Base URL\s+(\S+)/.exec(out);
        if (m && out.includes("Ctrl+C")) resolve(m[1]!);
      });
      child!.once("exit", (code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(out).toMatch(/Public key\s+[A-Za-z0-9+/]{43}=/);
    expect(out).toContain("http://127.0.0.1:9/hooks");
    expect(out).toContain(`export TELNYX_BASE_URL=${url}`);
    expect(out).toMatch(/export TELNYX_PUBLIC_KEY=[A-Za-z0-9+/]{43}=/);
    expect(out).not.toContain(secret);
    expect((await fetch(`${url}/call_control_applications`)).status).toBe(401);
    const ok = await fetch(`${url}/call_control_applications`, { headers: { authorization: `Bearer ${secret}` } });
    expect(ok.status).toBe(200);
  }, 20000);
});

describe("--key-file", () => {
  const cli = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

  /** Starts the CLI, waits for its banner, stops it; resolves with what it printed. */
  function runOnce(args: string[]): Promise<string> {
    const child = spawn(tsx, [cli, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Ctrl+C")) {
          clearTimeout(timer);
          child.once("exit", () => resolve(out));
          child.kill("SIGTERM");
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
    });
  }

  it("keeps the public key across restarts, in an owner-only file; the private key is never printed", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "sim-keys-")), "keys.json");
    const first = await runOnce(["--key-file", file]);
    const second = await runOnce(["--key-file", file]);
    const publicKey = (out: string) => /Public key\s+(\S+)/.exec(out)?.[1];
    expect(publicKey(first)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(publicKey(second)).toBe(publicKey(first));
    const stored = JSON.parse(readFileSync(file, "utf8")) as { publicKey: string; privateKey: string };
    expect(stored.publicKey).toBe(publicKey(first));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first + second).not.toContain(stored.privateKey);
    // Without the flag, each start makes new keys.
    expect(publicKey(await runOnce([]))).not.toBe(publicKey(first));
  }, 90_000);

  it("refuses a file that does not hold a key pair, saying how to fix it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "sim-keys-")), "keys.json");
    writeFileSync(file, JSON.stringify({ publicKey: "nope" }));
    await expect(startSimulator({ keyFile: file })).rejects.toThrow(
      /must hold \{ "publicKey", "privateKey" \}.*delete it/,
    );
  });
});
