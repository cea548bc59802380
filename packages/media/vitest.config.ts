import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "media",
    include: ["test/**/*.test.ts"],
    // Real sockets on loopback: every wait in the tests has its own bound, this is the backstop.
    testTimeout: 30_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
