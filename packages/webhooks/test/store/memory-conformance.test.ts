// The store interface's conformance cases over memoryStore (the same cases run over redisStore in
// @telnyx-voice/redis).
import { describe, it } from "vitest";
import { memoryStore } from "../../src/store/memory.js";
import { storeConformance } from "../../src/testing.js";

describe("memoryStore conformance", () => {
  const store = memoryStore();
  for (const c of storeConformance(() => store)) it.concurrent(c.name, c.run);
});

describe("memoryStore conformance, a fresh store per case", () => {
  for (const c of storeConformance(() => memoryStore())) it.concurrent(c.name, c.run);
});
