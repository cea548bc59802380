// A Redis that stalls with its connections open (SIGSTOP): every store operation still ends within
// commandTimeoutMs (node-redis would wait for as long as Redis does), a delivery whose claim was not seen
// confirmed answers 503 without running its handler, and once Redis is back each event is handled once.
import { type RouteInfo, WebhookBusyError, type WebhookEvent, Webhooks } from "@telnyx-voice/webhooks";
import { generateKeyPair } from "@telnyx-voice/webhooks/testing";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type RedisServer, startRedisServer } from "../../../scripts/redis-server.js";
import { type RedisStore, redisStore } from "../src/index.js";

const COMMAND_TIMEOUT_MS = 300;
const LEASE_MS = 1000;

let server: RedisServer;
let store: RedisStore;
beforeAll(async () => {
  server = await startRedisServer({ fresh: true });
  store = redisStore({
    url: server.url,
    keyPrefix: `stall-${Date.now()}:`,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    onError: () => {},
  });
}, 120_000);
afterAll(async () => {
  server.process?.kill("SIGCONT");
  await store?.close();
  await server?.stop();
});

function event(i: number): WebhookEvent {
  return {
    data: {
      record_type: "event",
      event_type: "call.answered",
      id: `stall-${Date.now()}-${i}`,
      occurred_at: new Date().toISOString(),
      payload: { call_control_id: `v3:stall-${i}`, call_leg_id: `leg-${i}`, connection_id: "1" },
    },
    meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
  } as WebhookEvent;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("stalled: each delivery answers 503 within commandTimeoutMs and runs nothing; back: each event runs once", async () => {
  const runs = new Map<string, number>();
  const errors: unknown[] = [];
  const { publicKey } = await generateKeyPair();
  const router = new Webhooks({ publicKey, onError: (e) => errors.push(e) })
    .router({ store, leaseMs: LEASE_MS, maxWaitMs: 4000 })
    .otherwise((e: WebhookEvent, _info: RouteInfo) => void runs.set(e.data.id, (runs.get(e.data.id) ?? 0) + 1));
  const events = Array.from({ length: 10 }, (_, i) => event(i));
  // Warm: the scripts are loaded and the connection is up before the stall.
  await router.handle(event(99));

  server.process?.kill("SIGSTOP");
  const stalledAt = performance.now();
  const outcomes = await Promise.all(
    events.map(async (e) => {
      const began = performance.now();
      const error = await router.handle(e).then(
        () => undefined,
        (err: unknown) => err,
      );
      return { error, ms: performance.now() - began };
    }),
  );
  for (const { error, ms } of outcomes) {
    expect(error).toBeInstanceOf(WebhookBusyError);
    expect((error as WebhookBusyError).reason).toBe("store_unavailable");
    // The claim's own deadline, not the stall's length (2.5 s).
    expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + 700);
  }
  expect([...runs.keys()].filter((id) => id.startsWith("stall-") && !id.endsWith("-99"))).toEqual([]);
  // Reported once for the whole outage, naming what failed (an event with a call is claimed and joined at once).
  expect(errors.map(String)).toEqual([
    expect.stringMatching(/claimAndJoin failed \(Error: no answer within commandTimeoutMs \(300 ms\)/),
  ]);

  // Longer than a lease: the claims written during the stall run when Redis wakes, and lapse.
  await sleep(Math.max(0, 2500 - (performance.now() - stalledAt)));
  server.process?.kill("SIGCONT");
  await Promise.all(events.map((e) => router.handle(e)));
  await Promise.all(events.map((e) => router.handle(e)));
  for (const e of events) expect(runs.get(e.data.id), e.data.id).toBe(1);
}, 30_000);

test("Redis gone (killed, or nothing listening): the error says what failed, not an empty reason", async () => {
  const gone = await startRedisServer({ fresh: true });
  const lost = redisStore({
    url: gone.url,
    keyPrefix: "gone:",
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    onError: () => {},
  });
  try {
    await lost.claimEvent("warm", "owner", LEASE_MS);
    gone.process?.kill("SIGKILL");
    await sleep(200);
    const error = await lost.claimEvent("e", "owner", LEASE_MS).catch((e: unknown) => e);
    expect(String(error)).toMatch(/claimEvent failed \(\S/);
    expect(String(error)).not.toMatch(/\(Error:\s*\)|\(\w*Error: \)/);
    expect(String(error)).toMatch(/ECONNREFUSED|closed|not connected/i);
  } finally {
    await lost.close();
    await gone.stop();
  }
}, 60_000);
