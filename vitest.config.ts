import { defineConfig } from "vitest/config";

// One vitest over the whole repo; each package (and the codegen) is a project with its own config.
export default defineConfig({
  test: {
    projects: ["packages/*", "scripts", "examples"],
  },
});
