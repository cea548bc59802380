// An option given as `undefined` (what `process.env.X` is when X is unset) means its default, as if absent.
import { afterEach, expect, test } from "vitest";
import { type Simulator, startSimulator } from "../src/index.js";
import { api, dialAnswered, startReceiver } from "./helpers.js";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
});

test("every option as undefined: loopback, the default key, polite delivery", async () => {
  const receiver = await startReceiver(() => sim?.publicKey ?? "");
  sim = await startSimulator({
    port: undefined,
    host: undefined,
    webhookUrl: receiver.url,
    apiKey: undefined,
    answerDelayMs: undefined,
    mediaDurationMs: undefined,
    faults: { rate: undefined, seed: undefined, rules: undefined },
    redelivery: { maxAttempts: undefined, baseDelayMs: undefined, timeoutMs: undefined },
    delivery: { duplicateRate: undefined, concurrency: undefined, jitterMs: undefined, seed: undefined },
    media: { jitterMs: undefined, reorderRate: undefined, duplicateRate: undefined, seed: undefined },
    endedCallRetentionMs: undefined,
    dialsPerSecond: undefined,
    keyPair: undefined,
    logger: undefined,
  });
  expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
  const call = api(sim);
  const id = await dialAnswered(call, receiver);
  expect((await call("POST", `/calls/${id}/actions/hangup`, {})).status).toBe(200);
  await sim.idle();
  expect(receiver.ofCall(id)).toEqual(["call.initiated", "call.answered", "call.hangup"]);
  expect(sim.deliveries.every((d) => d.copy === 0 && d.ok)).toBe(true);
  await receiver.close();
});
