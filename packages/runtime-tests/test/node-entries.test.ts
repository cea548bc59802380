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
