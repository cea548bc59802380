import { defineConfig } from "tsup";

// node.ts is the "node" condition's build (node:http in place of fetch); it has the same declarations as
// index.ts, so no .d.ts of its own. The ES builds share one chunk.
export default defineConfig({
  entry: ["src/index.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  dts: { entry: ["src/index.ts"] },
  // The build script empties dist/ first.
  clean: false,
  target: "es2022",
});
