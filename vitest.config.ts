import { defineConfig } from "vitest/config";

// One vitest over the whole repo; each package (and the codegen) is a project with its own config.
export default defineConfig({
  test: {
    // The client's suite runs a second time against its Node entry (node:http in place of fetch).
    projects: ["packages/*", "packages/client/vitest.http.config.ts", "scripts", "examples"],
  },
});
