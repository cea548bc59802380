// The RelayStore half of redisStore, which runs @telnyx-voice/flows on many instances: liveness, calls of dead
// instances taken by exactly one sweeper, every key expiring, and messages between instances, over a real Redis
// and a real Redis Cluster (sharded pub/sub there).
import { createClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RedisStore, RedisStoreError, redisStore } from "../src/index.js";
import { backends } from "./backends.js";

const url = inject("redisUrl");
const opened: RedisStore[] = [];
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

for (const backend of backends()) {
  const admin = backend.admin();
  const open = (keyPrefix: string) => {
    const store = redisStore({ ...backend.target(), keyPrefix });
    opened.push(store);
    return store;
  };
  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.close();
  });

  describe(`on ${backend.name}`, () => {
    describe("liveness and orphaned calls", () => {
      it("an instance is alive for its lease after each heartbeat", async () => {
        const store = open(`${unique("alive")}:`);
        expect(await store.isAlive("a")).toBe(false);
        await store.heartbeat("a", 300);
        expect(await store.isAlive("a")).toBe(true);
        await sleep(400);
        expect(await store.isAlive("a")).toBe(false);
      });

      it("the calls of a dead instance go to exactly one sweeper; a live instance's stay", async () => {
        const prefix = `${unique("orphans")}:`;
        const stores = [open(prefix), open(prefix), open(prefix)];
        const [a] = stores as [RedisStore];
        await a.heartbeat("dead", 200);
        await a.heartbeat("live", 60_000);
        for (const call of ["c1", "c2", "c3"]) await a.ownCall("dead", call);
        await a.ownCall("live", "c4");
        await a.ownCall("dead", "c5");
        await a.disownCall("dead", "c5");
        await sleep(300);
        const taken = await Promise.all(stores.map((s) => s.takeOrphans()));
        expect(taken.flat().sort()).toEqual(["c1", "c2", "c3"]);
        expect(taken.filter((t) => t.length > 0)).toHaveLength(1);
        expect(await a.takeOrphans()).toEqual([]);
      });

      it("knows the instances of its deployment: alive or lapsed, until a sweeper takes their calls", async () => {
        const store = open(`${unique("known")}:`);
        expect(await store.isKnown("a")).toBe(false);
        await store.heartbeat("a", 200);
        expect(await store.isKnown("a")).toBe(true);
        await sleep(300);
        expect(await store.isAlive("a")).toBe(false);
        expect(await store.isKnown("a")).toBe(true);
        await store.takeOrphans();
        expect(await store.isKnown("a")).toBe(false);
      });

      it("writes every relay key with an expiry", async () => {
        const prefix = `${unique("relay-ttl")}:`;
        const store = open(prefix);
        await store.heartbeat("a", 10_000);
        await store.ownCall("a", "call-1");
        const keys = await admin.keys(prefix);
        expect([...keys.keys()].map((key) => key.slice(prefix.length)).sort()).toEqual([
          `{${prefix}flows}:alive:a`,
          `{${prefix}flows}:calls:a`,
          `{${prefix}flows}:instances`,
        ]);
        for (const [key, ttl] of keys) {
          expect(ttl, key).toBeGreaterThan(0);
          expect(ttl, key).toBeLessThanOrEqual(3_600_000);
        }
        // One slot for the registry: a heartbeat and a sweep each touch several of its keys in one script.
        expect(new Set(await Promise.all([...keys.keys()].map((key) => admin.slot(key)))).size).toBe(1);
      });
    });

    describe("messages between instances", () => {
      it("a message reaches the named instance, and its reply comes back", async () => {
        const prefix = `${unique("relay")}:`;
        const [one, two] = [open(prefix), open(prefix)];
        const heard: string[] = [];
        const a = await one.openRelay("a", async (message) => `a got ${message}`);
        const b = await two.openRelay("b", async (message) => {
          heard.push(message);
          return `b got ${message}`;
        });
        expect(await a.send("b", "hello", 2000)).toEqual({ delivered: true, reply: "b got hello" });
        expect(await b.send("a", "hi", 2000)).toEqual({ delivered: true, reply: "a got hi" });
        expect(heard).toEqual(["hello"]);
        // Many at once, each to its own reply.
        const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => a.send("b", `m${i}`, 5000)));
        expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => ({ delivered: true, reply: `b got m${i}` })));
      });

      it("nobody listening: not delivered, at once; a handler that throws or does not reply fails the send", async () => {
        const prefix = `${unique("relay-fail")}:`;
        const [one, two] = [open(prefix), open(prefix)];
        const a = await one.openRelay("a", async () => "ok");
        expect(await a.send("nobody", "x", 2000)).toEqual({ delivered: false });
        const b = await two.openRelay("b", async (message) => {
          if (message === "throw") throw new Error("flow is gone");
          await sleep(message === "slow" ? 1000 : 0);
          return "done";
        });
        await expect(a.send("b", "throw", 2000)).rejects.toThrow("failed to handle the message: flow is gone");
        await expect(a.send("b", "slow", 100)).rejects.toThrow("instance b did not reply within 100 ms");
        await b.close();
        expect(await a.send("b", "x", 2000)).toEqual({ delivered: false });
      });
    });
  });
}

describe("a client of your own", () => {
  it("a client of your own without duplicate() cannot relay, and says why", async () => {
    const client = createClient({ url });
    await client.connect();
    try {
      const store = redisStore({ client: { sendCommand: (args: readonly string[]) => client.sendCommand(args) } });
      const error = await store.openRelay("a", async () => "").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisStoreError);
      expect((error as Error).message).toContain("Give redisStore a { url } or { cluster }, or a node-redis client");
    } finally {
      await client.close();
    }
  });
});
