import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "flows",
    include: ["test/**/*.test.ts"],
    // A real redis-server for the many-instance tests: REDIS_URL, or one started (and installed with apt-get
    // when missing and possible) by ../../scripts/redis-server.ts.
    globalSetup: ["../redis/test/global-setup.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
