import { defineConfig } from "tsup";

// node.ts is the "node" condition's build (nodeUpgrade over ws); index.ts that of every other runtime. They
// declare the same API, so node.ts has no .d.ts of its own. Both builds write into dist/ at once, so neither
// cleans it: the build script empties it first.
export default defineConfig({
  entry: ["src/index.ts", "src/node.ts", "src/codecs/index.ts"],
  format: ["esm", "cjs"],
  dts: { entry: ["src/index.ts", "src/codecs/index.ts"] },
  clean: false,
  target: "es2022",
  platform: "neutral",
  external: ["ws", "node:http", "node:stream"],
});
