// The dials-per-second limit (opt-in `dialsPerSecond`): a rolling 5-second sum of accepted dials, as Telnyx
// checks it; past it a dial gets 429 with code 90103 and retry-after, and a repeated command_id is not a dial.
import { afterEach, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../src/index.js";
import { api } from "./helpers.js";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
});

const dial = (n: number, commandId?: string) => ({
  connection_id: "dps",
  from: "+13125550001",
  to: `+1312555${String(2000 + n)}`,
  webhook_url: "http://127.0.0.1:9/webhooks",
  ...(commandId ? { command_id: commandId } : {}),
});

it("accepts 5 x dialsPerSecond dials in 5 seconds, in a burst, and refuses the next with 429 / 90103", async () => {
  sim = await startSimulator({ dialsPerSecond: 2, logger: { warn: () => {}, error: () => {} } });
  const call = api(sim);
  const statuses = [];
  for (let i = 0; i < 10; i++) statuses.push((await call("POST", "/calls", dial(i, `cmd-${i}`))).status);
  expect(statuses).toEqual(Array(10).fill(200));
  const refused = await call("POST", "/calls", dial(10));
  expect(refused.status).toBe(429);
  expect(refused.body).toMatchObject({ errors: [{ code: "90103" }] });
  expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(sim.dialsRefused).toBe(1);
  // The same command again is answered with its call, and places (and counts) nothing.
  expect((await call("POST", "/calls", dial(3, "cmd-3"))).status).toBe(200);
  expect(sim.dialsRefused).toBe(1);
  expect(sim.calls.list()).toHaveLength(10);
});

it("is off by default, and refuses a limit that is not a positive number", async () => {
  sim = await startSimulator({ logger: { warn: () => {}, error: () => {} } });
  const call = api(sim);
  const statuses = await Promise.all(
    Array.from({ length: 200 }, (_, i) => call("POST", "/calls", dial(i)).then((r) => r.status)),
  );
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(sim.dialsRefused).toBe(0);
  await expect(startSimulator({ dialsPerSecond: 0 })).rejects.toThrow(/dialsPerSecond must be a number > 0/);
});
