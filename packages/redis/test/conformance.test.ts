// The store interface's conformance cases (the same ones memoryStore passes) over redisStore against a real
// Redis: one store shared by every case, and a fresh store (its own connection) per case.
import { storeConformance } from "@telnyx-voice/webhooks/testing";
import { afterAll, describe, inject, it } from "vitest";
import { type RedisStore, redisStore } from "../src/index.js";

const url = inject("redisUrl");
const opened: RedisStore[] = [];
const open = () => {
  const store = redisStore({ url, keyPrefix: "test-conformance:" });
  opened.push(store);
  return store;
};
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

describe("redisStore conformance, one shared store", () => {
  const shared = open();
  for (const c of storeConformance(() => shared)) it.concurrent(c.name, c.run);
});

describe("redisStore conformance, a store (and connection) per case", () => {
  for (const c of storeConformance(open)) it.concurrent(c.name, c.run);
});
