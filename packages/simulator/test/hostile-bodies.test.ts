// Requests built to hurt, each within the body limit: a 4,000-item array of invalid tools (ajv with allErrors grew
// quadratically on it and the 422 listed 32,000 errors), megabyte strings in fields with formats and regexes, deep
// nesting, non-object JSON. Each is answered with a short, bounded error list, and a small request sent meanwhile
// is answered too. The time bounds are generous on purpose (the machine is shared); the old cost was over a minute.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../src/http/request.js";
import { type Simulator, startSimulator } from "../src/index.js";
import { MAX_ERRORS } from "../src/schema/ajv-errors.js";

let sim: Simulator;
const logged: string[] = [];
beforeAll(async () => {
  sim = await startSimulator({
    webhookUrl: "http://127.0.0.1:9/hooks",
    logger: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
    redelivery: { maxAttempts: 1 },
  });
});
afterAll(() => sim.stop());

const headers = { authorization: "Bearer KEY_SIMULATOR", "content-type": "application/json" };
const dial = { connection_id: "c", from: "+13125550100", to: "+13125550111" };
const MB = 1000 * 1000;

async function post(path: string, text: string) {
  const res = await fetch(sim.url + path, { method: "POST", headers, body: text });
  const body = await res.text();
  return {
    status: res.status,
    bytes: body.length,
    json: JSON.parse(body) as { errors?: Array<Record<string, unknown>> },
  };
}

const hostile: Array<[string, string, string]> = [
  [
    "4,000 invalid tools (32 KB)",
    "/calls",
    JSON.stringify({ ...dial, assistant: { tools: Array.from({ length: 4000 }, () => ({ a: 1 })) } }),
  ],
  [
    "100,000 invalid tools",
    "/calls",
    JSON.stringify({ ...dial, assistant: { tools: Array.from({ length: 100_000 }, () => 1) } }),
  ],
  [
    "50,000 bad custom headers",
    "/calls",
    JSON.stringify({ ...dial, custom_headers: Array.from({ length: 50_000 }, () => ({ name: 1 })) }),
  ],
  [
    "a 1 MB uri-format value",
    "/calls",
    JSON.stringify({ ...dial, webhook_urls: { "call.hangup": `a:${"%".repeat(MB - 200)}` } }),
  ],
  ["a 1 MB phone number", "/calls", JSON.stringify({ ...dial, to: `sip:${"a".repeat(MB - 200)}` })],
  ["a 1 MB client_state", "/calls", JSON.stringify({ ...dial, client_state: `${"A".repeat(MB - 201)}!` })],
  [
    "nesting 300,000 deep",
    "/calls",
    `{"connection_id":"c","from":"+13125550100","to":"+13125550111","custom_headers":${"[".repeat(300_000)}${"]".repeat(300_000)}}`,
  ],
  ["JSON null", "/calls", "null"],
  ["a JSON array", "/calls", "[1,2]"],
  ["a JSON string", "/calls", '"hello"'],
];

describe("hostile request bodies", () => {
  it.each(hostile)("%s: a 4xx with a bounded error list, while another request is answered", async (_, path, text) => {
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const started = Date.now();
    const [attack, small] = await Promise.all([
      post(path, text),
      fetch(`${sim.url}/call_control_applications`, { headers }).then((r) => r.status),
    ]);
    expect(small).toBe(200);
    expect(attack.status).toBeGreaterThanOrEqual(400);
    expect(attack.status).toBeLessThan(500);
    expect(attack.json.errors?.length).toBeGreaterThan(0);
    expect(attack.json.errors?.length).toBeLessThanOrEqual(MAX_ERRORS);
    expect(attack.bytes).toBeLessThan(4096);
    // No internal error behind it (a TypeError's message in a 422 was one of the findings).
    expect(JSON.stringify(attack.json)).not.toMatch(/TypeError|Cannot read|undefined/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a JSON null body names what it got", async () => {
    const res = await post("/calls", "null");
    expect(res.status).toBe(422);
    expect(res.json.errors?.[0]).toMatchObject({ detail: "The request body must be a JSON object, got null." });
  });

  it("a body over the limit is refused with the limit named", async () => {
    const res = await post("/calls", JSON.stringify({ ...dial, client_state: "A".repeat(MAX_BODY_BYTES) }));
    expect(res.status).toBe(400);
    expect(String(res.json.errors?.[0]?.detail)).toContain(String(MAX_BODY_BYTES));
  });

  it("nothing above was an internal error", () => {
    expect(logged.filter((m) => m.includes("internal error"))).toEqual([]);
  });
});
