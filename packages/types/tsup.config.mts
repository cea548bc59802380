import { defineConfig } from "tsup";

// Types only, no JavaScript: one declaration file. The package is CommonJS so that file serves `require`
// as it is, and ../index.d.mts re-exports it for `import` (ESM may import CommonJS types; the reverse would
// need a second 600 KB copy, as .d.ts + .d.cts builds ship).
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["cjs"],
  dts: { only: true },
  clean: true,
  target: "es2022",
});
