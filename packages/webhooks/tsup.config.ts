import { defineConfig } from "tsup";

export default defineConfig({
  // node.ts is the "node" condition's build; it has the same declarations as index.ts, so no .d.ts of its own.
  entry: ["src/index.ts", "src/node.ts", "src/testing.ts", "src/crypto/index.ts"],
  format: ["esm", "cjs"],
  dts: { entry: ["src/index.ts", "src/testing.ts", "src/crypto/index.ts"] },
  clean: true,
  target: "es2022",
  platform: "neutral",
  external: ["node:crypto", "@noble/ed25519", "@telnyx-voice/types"],
});
