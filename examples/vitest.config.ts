import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "examples",
    include: ["test/**/*.test.ts"],
    // A real redis-server for the many-instance pattern tests: REDIS_URL, or one started (and installed with
    // apt-get when missing and possible) by ../scripts/redis-server.ts.
    globalSetup: ["../packages/redis/test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
