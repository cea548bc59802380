// The router's guarantees (the suite memoryStore runs in @telnyx-voice/webhooks) with each instance on its
// own redisStore and connection, all sharing one real Redis.
import { afterAll, inject } from "vitest";
import { routerSuite } from "../../webhooks/test/router/suite.js";
import { type RedisStore, redisStore } from "../src/index.js";

const url = inject("redisUrl");
const opened: RedisStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

routerSuite("redisStore per instance, one Redis", {
  stores: (n) =>
    Array.from({ length: n }, () => {
      const store = redisStore({ url, keyPrefix: "test-router:" });
      opened.push(store);
      return store;
    }),
});
