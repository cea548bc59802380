import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "redis",
    include: ["test/**/*.test.ts"],
    // A real redis-server for the whole run: REDIS_URL, or one started (and installed with apt-get when
    // missing and possible) by ../../scripts/redis-server.ts.
    globalSetup: ["./test/global-setup.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
