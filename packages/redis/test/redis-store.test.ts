// What only the Redis store promises: every key it writes expires (with the documented TTLs), atomicity
// across connections, a client of your own, scripts reloaded after SCRIPT FLUSH, bounded calls to an
// unreachable server, clear option errors, and URL passwords never shown.
import { inspect } from "node:util";
import { createClient } from "@redis/client";
import type { CallTurn } from "@telnyx-voice/webhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RedisStore, RedisStoreError, type RedisStoreOptions, redisStore } from "../src/index.js";

const url = inject("redisUrl");
const admin = createClient({ url });
const opened: RedisStore[] = [];
const open = (options: RedisStoreOptions = {}) => {
  const store = redisStore({ url, ...options });
  opened.push(store);
  return store;
};
beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await admin.close();
});

const unique = (what: string) => `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Every key under `prefix` with its PTTL. */
async function keysOf(prefix: string): Promise<Map<string, number>> {
  const keys = new Map<string, number>();
  for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    for (const key of batch) keys.set(String(key), await admin.pTTL(key));
  }
  return keys;
}

describe("keys and TTLs", () => {
  it("writes every key with an expiry: claims, done markers, a call's records, pace keys", async () => {
    const prefix = `${unique("ttl")}:`;
    const store = open({ keyPrefix: prefix });
    const lease = 10_000;
    const done = 3_600_000;
    const turn: CallTurn = { callKey: "call-1", eventId: "e1", owner: "o1", occurredAtMs: 1_784_000_000_000.5 };
    await store.claimEvent("e1", "o1", lease);
    await store.joinCall(turn, lease, done);
    await store.enterCall(turn, lease);
    await store.renew("e1", "o1", lease, "call-1");
    await store.claimEvent("e2", "o2", lease);
    await store.joinCall({ ...turn, eventId: "e2", owner: "o2", occurredAtMs: 2 }, lease, done);
    await store.reserve("dial", 500);
    await store.reserve("dial", 500);
    const during = await keysOf(prefix);
    expect([...during.keys()].sort()).toEqual(
      [
        `${prefix}event:e1`,
        `${prefix}event:e2`,
        `${prefix}call:{call-1}:pending`,
        `${prefix}call:{call-1}:state`,
        `${prefix}pace:dial`,
      ].sort(),
    );
    for (const [key, ttl] of during) expect(ttl, key).toBeGreaterThan(0);
    expect(during.get(`${prefix}event:e1`)).toBeLessThanOrEqual(lease);
    expect(during.get(`${prefix}call:{call-1}:state`)).toBeGreaterThan(lease);
    expect(during.get(`${prefix}call:{call-1}:state`)).toBeLessThanOrEqual(done);
    expect(during.get(`${prefix}pace:dial`)).toBeLessThanOrEqual(1000);

    await store.completeEvent("e1", "o1", done);
    await store.leaveCall(turn, true, done);
    await store.releaseEvent("e2", "o2");
    await store.leaveCall({ ...turn, eventId: "e2", owner: "o2", occurredAtMs: 2 }, false, done);
    const after = await keysOf(prefix);
    for (const [key, ttl] of after) expect(ttl, key).toBeGreaterThan(0);
    expect(after.get(`${prefix}event:e1`)).toBeGreaterThan(lease);
    expect(after.has(`${prefix}event:e2`)).toBe(false); // released
    expect(after.has(`${prefix}call:{call-1}:pending`)).toBe(false); // empty: Redis dropped it
    expect(await admin.hGetAll(`${prefix}call:{call-1}:state`)).toEqual({ high: "1784000000000.5" });
  });

  it("keys an event with a call under its call's tag (claimAndJoin), each key expiring: claim, awaited claim, done", async () => {
    const prefix = `${unique("combined")}:`;
    const store = open({ keyPrefix: prefix });
    const lease = 10_000;
    const done = 3_600_000;
    const turn: CallTurn = { callKey: "call-1", eventId: "e1", owner: "o1", occurredAtMs: 1_784_000_000_000.5 };
    const eventKey = `${prefix}call:{call-1}:event:e1`;
    expect(await store.claimAndJoin(turn, lease, done, true)).toEqual({
      claim: "claimed",
      entry: { entered: true, late: false },
    });
    expect(await admin.get(eventKey)).toBe("claim:o1");
    // A copy finds it busy and marks it awaited, for the rest of its lease: its completion will be announced.
    expect(await store.claimAndJoin({ ...turn, owner: "o2" }, lease, done, true)).toEqual({ claim: "busy" });
    expect(await admin.get(eventKey)).toBe("claim+:o1");
    await store.claimEvent("solo", "o3", lease);
    expect(
      await store.renewHeld(
        [
          { eventId: "e1", owner: "o1", callKey: "call-1" },
          { eventId: "solo", owner: "o3" },
        ],
        lease,
      ),
    ).toEqual([true, true]);
    const during = await keysOf(prefix);
    expect([...during.keys()].sort()).toEqual(
      [eventKey, `${prefix}call:{call-1}:pending`, `${prefix}call:{call-1}:state`, `${prefix}event:solo`].sort(),
    );
    for (const [key, ttl] of during) expect(ttl, key).toBeGreaterThan(0);
    expect(during.get(eventKey)).toBeLessThanOrEqual(lease);
    expect(during.get(`${prefix}call:{call-1}:state`)).toBeLessThanOrEqual(done);

    expect(await store.completeAndLeave(turn, done, done)).toBe(true);
    const after = await keysOf(prefix);
    for (const [key, ttl] of after) expect(ttl, key).toBeGreaterThan(0);
    expect(await admin.get(eventKey)).toBe("done");
    expect(after.get(eventKey)).toBeGreaterThan(lease);
    expect(after.get(eventKey)).toBeLessThanOrEqual(done);
    expect(after.has(`${prefix}call:{call-1}:pending`)).toBe(false);
    expect(await admin.hGetAll(`${prefix}call:{call-1}:state`)).toEqual({ high: "1784000000000.5" });

    // A turn that waited to enter marks the call (w) until its pending events are gone; a release drops the claim.
    const first = { ...turn, eventId: "e2", owner: "o4", occurredAtMs: 2 };
    const second = { ...turn, eventId: "e3", owner: "o5", occurredAtMs: 3 };
    await store.claimAndJoin(first, lease, done, true);
    expect((await store.claimAndJoin(second, lease, done, true)).entry).toEqual({ entered: false, reason: "waiting" });
    expect(await admin.hGet(`${prefix}call:{call-1}:state`, "w")).toBe("1");
    await store.releaseAndLeave(first, done);
    expect(await admin.exists(`${prefix}call:{call-1}:event:e2`)).toBe(0);
    expect(await store.enterCall(second, lease)).toEqual({ entered: true, late: true });
    await store.completeAndLeave(second, done, done);
    expect(await admin.hGet(`${prefix}call:{call-1}:state`, "w")).toBeNull();
    for (const [key, ttl] of await keysOf(prefix)) expect(ttl, key).toBeGreaterThan(0);
  });

  it("renews more than one script's worth of held events (200 a script) in one call", async () => {
    const store = open({ keyPrefix: `${unique("many")}:` });
    const held = Array.from({ length: 450 }, (_, i) => ({
      eventId: `e${i}`,
      owner: `o${i}`,
      callKey: i % 3 === 0 ? undefined : `call-${i % 7}`,
    }));
    for (const h of held) {
      if (h.callKey === undefined) await store.claimEvent(h.eventId, h.owner, 60_000);
      else await store.claimAndJoin({ ...h, callKey: h.callKey, occurredAtMs: 1 }, 60_000, 60_000, false);
    }
    const stranger = { eventId: "e-none", owner: "nobody" };
    const renewed = await store.renewHeld([...held, stranger], 60_000);
    expect(renewed).toEqual([...held.map(() => true), false]);
  });

  it("keeps a call's high-water mark to the sub-millisecond", async () => {
    const store = open({ keyPrefix: `${unique("micro")}:` });
    const call = unique("call");
    const at = (eventId: string, occurredAtMs: number): CallTurn => ({
      callKey: call,
      eventId,
      owner: eventId,
      occurredAtMs,
    });
    const handled = at("a", 1_784_000_000_000.5);
    await store.claimEvent("a", "a", 60_000);
    await store.joinCall(handled, 60_000, 60_000);
    await store.enterCall(handled, 60_000);
    await store.leaveCall(handled, true, 60_000);
    const justBefore = at("b", 1_784_000_000_000.25);
    await store.claimEvent("b", "b", 60_000);
    await store.joinCall(justBefore, 60_000, 60_000);
    expect(await store.enterCall(justBefore, 60_000)).toEqual({ entered: true, late: true });
  });
});

describe("atomic across connections", () => {
  it("gives an event to exactly one of ten instances claiming it at once", async () => {
    const stores = Array.from({ length: 10 }, () => open({ keyPrefix: "test-atomic:" }));
    const id = unique("event");
    const results = await Promise.all(stores.map((s, i) => s.claimEvent(id, `instance-${i}`, 60_000)));
    expect(results.filter((r) => r === "claimed")).toHaveLength(1);
  });

  it("lets one of ten instances enter a call whose turns they race for", async () => {
    const stores = Array.from({ length: 10 }, () => open({ keyPrefix: "test-atomic:" }));
    const call = unique("call");
    // All at the same occurred_at: the smallest event id is the head; each instance tries its own event.
    const turns = stores.map(
      (_, i): CallTurn => ({ callKey: call, eventId: `e${i}`, owner: `o${i}`, occurredAtMs: 5 }),
    );
    await Promise.all(turns.map((t, i) => stores[i]!.joinCall(t, 60_000, 60_000)));
    const entries = await Promise.all(turns.map((t, i) => stores[i]!.enterCall(t, 60_000)));
    expect(entries.filter((e) => e.entered)).toHaveLength(1);
    expect(entries[0]!.entered).toBe(true);
  });
});

describe("a client of your own", () => {
  it("works through a connected node-redis client and leaves it open on close()", async () => {
    const client = createClient({ url });
    await client.connect();
    const store = redisStore({ client, keyPrefix: "test-client:" });
    const id = unique("event");
    expect(await store.claimEvent(id, "o", 60_000)).toBe("claimed");
    await store.close();
    expect(client.isOpen).toBe(true);
    expect(await store.claimEvent(id, "p", 60_000)).toBe("busy");
    await client.close();
  });

  it("says to connect a client that is not connected", async () => {
    const client = createClient({ url });
    const store = redisStore({ client });
    const error = await store.claimEvent(unique("event"), "o", 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisStoreError);
    expect(error).toMatchObject({ operation: "claimEvent" });
    expect((error as Error).message).toMatch(/closed.*await client\.connect\(\)/);
  });
});

it("loads its scripts again after SCRIPT FLUSH", async () => {
  const store = open({ keyPrefix: "test-flush:" });
  const first = unique("event");
  expect(await store.claimEvent(first, "o", 60_000)).toBe("claimed");
  await admin.scriptFlush();
  expect(await store.claimEvent(first, "p", 60_000)).toBe("busy");
  expect(await store.completeEvent(first, "o", 60_000)).toBe(true);
});

describe("an unreachable Redis", () => {
  it("fails each call within commandTimeoutMs with a RedisStoreError naming the operation, and reports once", async () => {
    const reported: Error[] = [];
    // Nothing listens on port 1.
    const store = redisStore({ url: "redis://127.0.0.1:1", commandTimeoutMs: 300, onError: (e) => reported.push(e) });
    opened.push(store);
    for (const call of [() => store.claimEvent("e", "o", 1000), () => store.reserve("dial", 100)]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisStoreError);
      expect((error as Error).message).toMatch(
        /^redisStore: (claimEvent|reserve) failed .*Check that Redis at redis:\/\/127\.0\.0\.1:1 is up/,
      );
    }
    expect(reported.length).toBe(1);
    expect(reported[0]!.message).toMatch(/ECONNREFUSED/);
  });
});

describe("options", () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ["no url, client or REDIS_URL", {}, /needs a Redis.*REDIS_URL/],
    [
      "a url and a client",
      { url, client: { sendCommand: async () => 0 } },
      /one of `url`, `cluster` and `client`, not url and client/,
    ],
    ["a url and a cluster", { url, cluster: { rootNodes: [{ url }] } }, /not url and cluster/],
    [
      "a cluster without root nodes",
      { cluster: { rootNodes: [] } },
      /createCluster\(\) options with at least one root node/,
    ],
    [
      "a brace in keyPrefix on a cluster",
      { cluster: { rootNodes: [{ url }] }, keyPrefix: "app{1}:" },
      /on a Redis Cluster `keyPrefix` may hold no \{ or \} \(got "app\{1\}:"\)/,
    ],
    [
      "waitForReplicas of 1.5",
      { url, waitForReplicas: 1.5 },
      /`waitForReplicas` must be a whole number .* from 0 .* to 5, got 1.5/,
    ],
    ["an http url", { url: "http://localhost:6379" }, /must start with redis:\/\/.*scheme http:/],
    ["a client without sendCommand", { client: {} }, /node-redis client.*no sendCommand/],
    [
      "a cluster client without getNodeClientForKey",
      { client: { sendCommand: async () => 0, nodeClient: async () => ({}) } },
      /cluster client has no getNodeClientForKey\(\).*\{ cluster: \{ rootNodes/,
    ],
    ["a command timeout of 0", { url, commandTimeoutMs: 0 }, /commandTimeoutMs.*from 10 to 60000.*got 0/],
    ["a non-object", null, /takes an options object.*got null/],
  ];
  it.each(bad)("refuses %s, saying what to pass", (_, options, message) => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      expect(() => redisStore(options as RedisStoreOptions)).toThrow(message);
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });

  it("takes every option as explicit undefined", async () => {
    const store = redisStore({
      url,
      client: undefined,
      cluster: undefined,
      keyPrefix: undefined,
      commandTimeoutMs: undefined,
      waitForReplicas: undefined,
      onError: undefined,
    });
    opened.push(store);
    expect(await store.claimEvent(unique("event"), "o", 1000)).toBe("claimed");
  });
});

describe("the URL's password", () => {
  const password = "Pw-7f3kQ-never-shown";

  beforeAll(async () => {
    await admin.sendCommand(["ACL", "SETUSER", "tv-tester", "on", `>${password}`, "~*", "+@all"]);
  });
  afterAll(async () => {
    await admin.sendCommand(["ACL", "DELUSER", "tv-tester"]);
  });

  const withCredentials = (pass: string) => url.replace("redis://", `redis://tv-tester:${encodeURIComponent(pass)}@`);

  it("authenticates with it, and never shows it in inspect, JSON or errors", async () => {
    const store = open({ url: withCredentials(password), keyPrefix: "test-auth:" });
    expect(await store.claimEvent(unique("event"), "o", 1000)).toBe("claimed");
    expect(inspect(store, { depth: 10, showHidden: true })).not.toContain(password);
    expect(JSON.stringify(store)).not.toContain(password);
  });

  it("keeps a wrong password out of the errors and the reports", async () => {
    const wrong = "Wrong-9zq-secret-value";
    const reported: string[] = [];
    const store = redisStore({
      url: withCredentials(wrong),
      commandTimeoutMs: 500,
      onError: (e) => reported.push(`${e.message} ${e.stack}`),
    });
    opened.push(store);
    const error = await store.claimEvent("e", "o", 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisStoreError);
    const shown = `${(error as Error).message} ${(error as Error).stack} ${inspect(error)} ${reported.join(" ")}`;
    expect(shown).not.toContain(wrong);
    expect(shown).toMatch(/redis:\/\/tv-tester:\*\*\*@127\.0\.0\.1/);
  });

  it("keeps it out of option errors, even when the URL cannot be parsed", () => {
    expect(() => redisStore({ url: `http://user:${password}@host` })).toThrow(/http:\/\/user:\*\*\*@host/);
    const unparseable = () => redisStore({ url: `redis://user:${password}@host:port:bad` });
    expect(unparseable).toThrow(TypeError);
    try {
      unparseable();
    } catch (error) {
      expect((error as Error).message).not.toContain(password);
    }
  });
});
