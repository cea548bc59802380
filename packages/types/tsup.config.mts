import { defineConfig } from "tsup";

// Types only: one declaration file. The package is CommonJS so that file serves `require` as it is, and
// ../index.d.mts re-exports it for `import` (ESM may import CommonJS types; the reverse would need a second
// 600 KB copy, as .d.ts + .d.cts builds ship). ../index.js and ../index.mjs are empty modules, so a plain
// (non-type) import of the package does not fail at run time.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["cjs"],
  dts: { only: true },
  clean: true,
  target: "es2022",
});
