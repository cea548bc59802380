// The built packages load on Node from both module systems, through their `exports` maps, as a user's
// project would: a CommonJS `require` and an ESM `import`, each in a fresh process.
import { execFileSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const cwd = dirname(fileURLToPath(import.meta.url));

const entries: Record<string, string[]> = {
  "@telnyx-voice/client": ["Telnyx", "APIError", "RateLimitError", "ValidationError", "PagePromise"],
  "@telnyx-voice/webhooks": ["Webhooks", "WebhookVerificationError"],
  "@telnyx-voice/webhooks/testing": ["generateKeyPair", "signPayload"],
  "@telnyx-voice/simulator": ["startSimulator"],
  "@telnyx-voice/media": ["MediaStreams", "MediaStreamError", "parseTelnyxFrame", "encodeUlaw"],
  "@telnyx-voice/media/codecs": [
    "encodeUlaw",
    "decodeUlaw",
    "encodeAlaw",
    "decodeAlaw",
    "encodeL16",
    "resample",
    "Resampler",
  ],
};

function exportsOf(specifier: string, system: "cjs" | "esm"): Record<string, string> {
  const code =
    system === "cjs"
      ? `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))))`
      : `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))))`;
  const args = system === "cjs" ? ["-e", code] : ["--input-type=module", "-e", code];
  return JSON.parse(execFileSync(process.execPath, args, { cwd, encoding: "utf8" })) as Record<string, string>;
}

describe.each(["cjs", "esm"] as const)("Node %s", (system) => {
  test.each(Object.entries(entries))("%s exports its API", (specifier, names) => {
    const exported = exportsOf(specifier, system);
    for (const name of names) expect(exported[name], `${specifier} ${name}`).toBe("function");
  });

  test("@telnyx-voice/types has no runtime exports", () => {
    expect(exportsOf("@telnyx-voice/types", system)).toEqual({});
  });
});

// In a fresh process: a server on loopback, globalThis.fetch replaced (after the client is made) by one
// that counts, and one call. Returns how many times globalThis.fetch and the `fetch` option were called.
function fetchCallsOnNode(system: "cjs" | "esm", withFetchOption: boolean): { global: number; option: number } {
  const load =
    system === "cjs"
      ? `const { Telnyx } = require("@telnyx-voice/client");`
      : `const { Telnyx } = await import("@telnyx-voice/client");`;
  const code = `
    ${load}
    const http = require("node:http");
    const server = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"data":{"is_alive":true}}'); }); });
    server.listen(0, "127.0.0.1", async () => {
      const calls = { global: 0, option: 0 };
      const real = globalThis.fetch;
      const baseURL = "http://127.0.0.1:" + server.address().port + "/v2";
      const options = { apiKey: "KEY_node_entry", baseURL${withFetchOption ? ", fetch: (url, init) => { calls.option++; return real(url, init); }" : ""} };
      const telnyx = new Telnyx(options);
      globalThis.fetch = (...args) => { calls.global++; return real(...args); };
      const answer = await telnyx.calls.retrieveStatus("v3:a");
      if (answer.data.is_alive !== true) throw new Error("unexpected answer");
      console.log(JSON.stringify(calls));
      server.close();
    });`;
  const args =
    system === "cjs"
      ? ["-e", code]
      : [
          "--input-type=module",
          "-e",
          `import { createRequire } from "node:module"; const require = createRequire(import.meta.url); ${code}`,
        ];
  return JSON.parse(execFileSync(process.execPath, args, { cwd, encoding: "utf8" }).trim()) as {
    global: number;
    option: number;
  };
}

describe.each(["cjs", "esm"] as const)("@telnyx-voice/client on Node (%s)", (system) => {
  test("sends with globalThis.fetch, looked up per request (so undici's global dispatcher applies)", () => {
    expect(fetchCallsOnNode(system, false)).toEqual({ global: 1, option: 0 });
  });

  test("sends with the fetch option when it is given", () => {
    expect(fetchCallsOnNode(system, true)).toEqual({ global: 0, option: 1 });
  });
});

test("the CommonJS builds load nothing with import(), which Jest's default sandbox refuses", async () => {
  const { readFileSync } = await import("node:fs");
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  for (const specifier of Object.keys(entries)) {
    const file = require.resolve(specifier);
    expect(file.endsWith(".cjs") || file.endsWith(".js"), file).toBe(true);
    expect(readFileSync(file, "utf8"), file).not.toMatch(/\bimport\(/);
  }
});
