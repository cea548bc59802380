import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "runtimes",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/browser-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
