import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/otel.ts"],
  format: ["esm", "cjs"],
  dts: true,
  // The build script empties dist/ first.
  clean: false,
  target: "es2022",
});
