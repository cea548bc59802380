// What redisStore promises on a Redis Cluster beyond the suites every backend runs (conformance, router, relay):
// each script's keys in one slot, every key expiring, a cluster client of your own, bounded calls to an
// unreachable cluster with its password never shown, and waitForReplicas refusing to count an unconfirmed write.
import { inspect } from "node:util";
import { createClient, createCluster } from "@redis/client";
import type { CallTurn } from "@telnyx-voice/webhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RedisStore, RedisStoreError, type RedisStoreOptions, redisStore } from "../src/index.js";
import { keySlot } from "../src/slot.js";
import { backends } from "./backends.js";

const clusterUrl = inject("redisClusterUrl");
const admin = backends()
  .find((b) => b.cluster)!
  .admin();
const opened: RedisStore[] = [];
const open = (options: RedisStoreOptions = {}) => {
  const store = redisStore({ cluster: { rootNodes: [{ url: clusterUrl }] }, ...options });
  opened.push(store);
  return store;
};
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await admin.close();
});

describe("keys and slots", () => {
  it("keeps each script's keys in one slot (a call's, the flows registry's), spread over the cluster; each expires", async () => {
    const prefix = `${unique("slots")}:`;
    const store = open({ keyPrefix: prefix });
    const lease = 10_000;
    const ttl = 3_600_000;
    const calls = Array.from({ length: 30 }, (_, i) => `call-${i}`);
    for (const [i, callKey] of calls.entries()) {
      const turn: CallTurn = { callKey, eventId: `e${i}`, owner: "o1", occurredAtMs: 1000 + i };
      expect(await store.claimEvent(turn.eventId, "o1", lease)).toBe("claimed");
      await store.joinCall(turn, lease, ttl);
      expect(await store.enterCall(turn, lease)).toEqual({ entered: true, late: false });
      expect(await store.renew(turn.eventId, "o1", lease, callKey)).toBe(true);
    }
    await store.reserve("dial", 500);
    await store.heartbeat("a", lease);
    await store.ownCall("a", "call-0");
    const keys = await admin.keys(prefix);
    for (const [key, pttl] of keys) {
      expect(pttl, key).toBeGreaterThan(0);
      expect(pttl, key).toBeLessThanOrEqual(ttl);
    }
    expect(keys.size).toBe(30 + 30 * 2 + 1 + 3);
    const slotOf = async (key: string) => {
      expect(keys.has(key), key).toBe(true);
      return admin.slot(key);
    };
    const callSlots = new Set<number>();
    for (const callKey of calls) {
      const pending = await slotOf(`${prefix}call:{${callKey}}:pending`);
      expect(await slotOf(`${prefix}call:{${callKey}}:state`)).toBe(pending);
      callSlots.add(pending);
    }
    // Calls land on many slots: the hash tag is the call, not one tag for every key.
    expect(callSlots.size).toBeGreaterThan(20);
    const registry = `${prefix}{${prefix}flows}`;
    const registrySlot = await slotOf(`${registry}:instances`);
    expect(await slotOf(`${registry}:alive:a`)).toBe(registrySlot);
    expect(await slotOf(`${registry}:calls:a`)).toBe(registrySlot);
  });
});

describe("the combined operations on a cluster", () => {
  it("computes each key's slot as the cluster does (renewals are batched by it)", async () => {
    const samples = [
      "a",
      "telnyx-voice:event:evt-1",
      "telnyx-voice:call:{v3:abc-DEF_123}:event:e1",
      "{}empty-tag",
      "x{}{y}",
      "{user1000}.following",
      "ünïcode:{çall}:état",
      ...Array.from({ length: 40 }, (_, i) => `p:call:{call-${i}}:state`),
    ];
    for (const key of samples) expect(keySlot(key), key).toBe(await admin.slot(key));
  });

  it("keeps an event with a call in its call's slot, and renews events of many slots in one call", async () => {
    const prefix = `${unique("combined-slots")}:`;
    const store = open({ keyPrefix: prefix });
    const turns = Array.from(
      { length: 40 },
      (_, i): CallTurn => ({
        callKey: `call-${i}`,
        eventId: `e${i}`,
        owner: `o${i}`,
        occurredAtMs: 1000,
      }),
    );
    for (const turn of turns) {
      expect(await store.claimAndJoin(turn, 60_000, 60_000, true)).toEqual({
        claim: "claimed",
        entry: { entered: true, late: false },
      });
      const slot = await admin.slot(`${prefix}call:{${turn.callKey}}:state`);
      expect(await admin.slot(`${prefix}call:{${turn.callKey}}:event:${turn.eventId}`)).toBe(slot);
    }
    const solos = Array.from({ length: 10 }, (_, i) => ({ eventId: `solo-${i}`, owner: `s${i}` }));
    for (const solo of solos) await store.claimEvent(solo.eventId, solo.owner, 60_000);
    const held = [
      ...turns.map((t) => ({ eventId: t.eventId, owner: t.owner, callKey: t.callKey })),
      ...solos,
      { eventId: "e0", owner: "not-the-owner", callKey: "call-0" },
    ];
    expect(await store.renewHeld(held, 60_000)).toEqual([...turns.map(() => true), ...solos.map(() => true), false]);
    for (const turn of turns) expect(await store.completeAndLeave(turn, 60_000, 60_000)).toBe(true);
    const keys = await admin.keys(prefix);
    for (const [key, pttl] of keys) expect(pttl, key).toBeGreaterThan(0);
  });
});

describe("a cluster client of your own", () => {
  it("works through a connected createCluster() client, relays with it, and leaves it open on close()", async () => {
    const client = createCluster({ rootNodes: [{ url: clusterUrl }] });
    await client.connect();
    try {
      const prefix = `${unique("own-cluster")}:`;
      const store = redisStore({ client, keyPrefix: prefix });
      const other = redisStore({ client, keyPrefix: prefix });
      const id = unique("event");
      expect(await store.claimEvent(id, "o", 60_000)).toBe("claimed");
      expect(await store.renew(id, "o", 60_000, "call-1")).toBe(true);
      const b = await other.openRelay("b", async (message) => `b got ${message}`);
      const a = await store.openRelay("a", async () => "");
      expect(await a.send("b", "hello", 2000)).toEqual({ delivered: true, reply: "b got hello" });
      expect(await a.send("nobody", "hello", 2000)).toEqual({ delivered: false });
      await b.close();
      await store.close();
      await other.close();
      expect(client.isOpen).toBe(true);
      expect(await store.claimEvent(id, "p", 60_000)).toBe("busy");
    } finally {
      await client.close();
    }
  });

  it("a client of one node of the cluster fails with an error saying to give a cluster client", async () => {
    const node = createClient({ url: clusterUrl });
    await node.connect();
    try {
      const store = redisStore({ client: node });
      // Some of 20 events' keys are on other nodes' slots: MOVED.
      const errors = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.claimEvent(unique(`e${i}`), "o", 1000).catch((e: unknown) => e)),
      );
      const failed = errors.filter((e) => e instanceof RedisStoreError);
      expect(failed.length).toBeGreaterThan(0);
      expect((failed[0] as Error).message).toMatch(/MOVED.*give redisStore a createCluster\(\) client/);
    } finally {
      await node.close();
    }
  });
});

describe("an unreachable cluster", () => {
  it("fails each call within commandTimeoutMs, naming the operation, and never shows the password", async () => {
    const secret = "Cl-9x-never-shown";
    const reported: Error[] = [];
    // Nothing listens on port 1.
    const store = redisStore({
      cluster: { rootNodes: [{ url: `redis://user:${secret}@127.0.0.1:1` }] },
      commandTimeoutMs: 300,
      onError: (e) => reported.push(e),
    });
    opened.push(store);
    const began = performance.now();
    const error = await store.claimEvent("e", "o", 1000).catch((e: unknown) => e);
    expect(performance.now() - began).toBeLessThan(1000);
    expect(error).toBeInstanceOf(RedisStoreError);
    const shown = `${(error as Error).message} ${inspect(error)} ${reported.map((e) => e.message).join(" ")} ${inspect(store, { depth: 5 })}`;
    expect((error as Error).message).toMatch(
      /^redisStore: claimEvent failed .*Check that Redis at the cluster of redis:\/\/user:\*\*\*@127\.0\.0\.1:1/,
    );
    expect(shown).not.toContain(secret);
    expect(reported.length).toBeGreaterThan(0);
  });
});

describe("waitForReplicas", () => {
  it("on a cluster, claims and completes once a replica has each write", async () => {
    const store = open({ keyPrefix: `${unique("wait")}:`, waitForReplicas: 1 });
    for (let i = 0; i < 10; i++) {
      const id = unique("event");
      expect(await store.claimEvent(id, "o", 60_000)).toBe("claimed");
      expect(await store.claimEvent(id, "p", 60_000)).toBe("busy");
      expect(await store.completeEvent(id, "o", 60_000)).toBe(true);
      expect(await store.claimEvent(id, "p", 60_000)).toBe("done");
    }
  });

  it("on a Redis without replicas, a claim fails within commandTimeoutMs saying no replica confirmed it", async () => {
    const store = redisStore({ url: inject("redisUrl"), waitForReplicas: 1, commandTimeoutMs: 200 });
    opened.push(store);
    const id = unique("event");
    const began = performance.now();
    const error = await store.claimEvent(id, "o", 60_000).catch((e: unknown) => e);
    expect(performance.now() - began).toBeLessThan(400);
    expect(error).toBeInstanceOf(RedisStoreError);
    expect((error as Error).message).toMatch(
      /^redisStore: claimEvent failed \(written on the primary, but 0 of the 1 replicas asked for \(waitForReplicas\) confirmed it within \d+ ms, so a failover could lose it\)\. Check that the primary serving .*event:.* has 1 replica/,
    );
    // Nothing waits for what was not written: a busy claim answers at once.
    const other = redisStore({ url: inject("redisUrl"), waitForReplicas: 1 });
    opened.push(other);
    expect(await other.claimEvent(id, "p", 60_000)).toBe("busy");
  });
});
