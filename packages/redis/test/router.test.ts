// The router's guarantees (the suite memoryStore runs in @telnyx-voice/webhooks) with each instance on its
// own redisStore and connection, all sharing one real Redis, then one real Redis Cluster.
import { afterAll } from "vitest";
import { routerSuite } from "../../webhooks/test/router/suite.js";
import { type RedisStore, redisStore } from "../src/index.js";
import { backends } from "./backends.js";

const opened: RedisStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

for (const backend of backends()) {
  routerSuite(`redisStore per instance, ${backend.name}`, {
    stores: (n) =>
      Array.from({ length: n }, () => {
        const store = redisStore({ ...backend.target(), keyPrefix: "test-router:" });
        opened.push(store);
        return store;
      }),
  });
}
