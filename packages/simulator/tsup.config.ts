import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  // warm-up.ts resolves ajv with createRequire(import.meta.url); the CJS build needs the shim for it.
  shims: true,
});
