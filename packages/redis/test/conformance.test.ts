// The store interface's conformance cases (the same ones memoryStore passes) over redisStore against a real
// Redis and a real Redis Cluster: one store shared by every case, and a fresh store (its own connection) per case.
import { storeConformance } from "@telnyx-voice/webhooks/testing";
import { afterAll, describe, it } from "vitest";
import { type RedisStore, redisStore } from "../src/index.js";
import { backends } from "./backends.js";

const opened: RedisStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

for (const backend of backends()) {
  const open = () => {
    const store = redisStore({ ...backend.target(), keyPrefix: "test-conformance:" });
    opened.push(store);
    return store;
  };

  describe(`redisStore conformance on ${backend.name}, one shared store`, () => {
    const shared = open();
    for (const c of storeConformance(() => shared)) it.concurrent(c.name, c.run);
  });

  describe(`redisStore conformance on ${backend.name}, a store (and connection) per case`, () => {
    for (const c of storeConformance(open)) it.concurrent(c.name, c.run);
  });
}
