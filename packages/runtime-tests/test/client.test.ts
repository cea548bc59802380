import { request, type Server } from "node:http";
import { startSimulator, type Simulator } from "@telnyx-voice/simulator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { closeBrowser, runIn, runtimes, serve } from "./harness.ts";

const apiKey = "KEYruntime-tests-not-a-secret";
let sim: Simulator;
let webhooks: Awaited<ReturnType<typeof serve>>;
let origin: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  // A receiver that accepts every webhook: this suite is about the client, not delivery.
  webhooks = await serve((_req, res) => {
    res.writeHead(200);
    res.end();
  });
  sim = await startSimulator({ apiKey, webhookUrl: `${webhooks.url}/webhooks`, answerDelayMs: 5 });
  // The page and the API share one origin, as a browser app behind its own proxy would: /v2/* goes to the simulator.
  const target = new URL(sim.url);
  origin = await serve((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
});

afterAll(async () => {
  await closeBrowser();
  await sim.stop();
  for (const s of [origin, webhooks]) await new Promise((resolve) => (s.server as Server).close(resolve));
});

describe.each(runtimes)("@telnyx-voice/client in %s", (runtime) => {
  test("dials, walks active calls by cursor, hangs up, and throws typed errors", async () => {
    const connectionId = `conn-${runtime}`;
    const out = await runIn<object, Record<string, unknown>>(runtime, "client", { baseURL: `${origin.url}/v2`, apiKey, connectionId }, origin);
    const dialed = out.dialed as string[];
    expect(dialed).toHaveLength(3);
    for (const id of dialed) expect(sim.calls.get(id)).toBeDefined();
    expect(out.isAlive).toBe(true);
    expect([...(out.walked as string[])].sort()).toEqual([...dialed].sort());
    expect(out.hangup).toBe("ok");
    expect(out.validation).toContain("+13125550001");
    expect(out.validation).toContain('"to"');
    expect(out.notFound).toBe(404);
  });
});
