// The CLI: flags parse into options, bad flags are explained, and the real process prints the banner
// (base URL, public key, webhook URL; never the API key) and serves the API on 127.0.0.1.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { banner, parseCli } from "../src/cli/options.js";

describe("parseCli", () => {
  it("maps flags to options, with 127.0.0.1 and port 8787 by default", () => {
    expect(parseCli(["--webhook-url", "http://127.0.0.1:3000/hooks", "--answer-delay-ms", "10"], {})).toMatchObject({
      host: "127.0.0.1",
      port: 8787,
      webhookUrl: "http://127.0.0.1:3000/hooks",
      answerDelayMs: 10,
    });
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

  it("the banner names the key's source, not the key", () => {
    const text = banner({
      url: "http://127.0.0.1:1/v2",
      publicKey: "PUB",
      webhookUrl: undefined,
      keySource: "as given (not shown)",
    });
    expect(text).toContain("http://127.0.0.1:1/v2");
    expect(text).toContain("PUB");
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
    expect(out).not.toContain(secret);
    expect((await fetch(`${url}/call_control_applications`)).status).toBe(401);
    const ok = await fetch(`${url}/call_control_applications`, { headers: { authorization: `Bearer ${secret}` } });
    expect(ok.status).toBe(200);
  }, 20000);
});
