import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", cli: "src/cli/main.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  // schema/precompile.ts resolves ajv with createRequire(import.meta.url); the CJS build needs the shim for it.
  shims: true,
});
