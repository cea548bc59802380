import { defineConfig } from "tsup";

export default defineConfig({
  // node.ts and testing-node.ts are the "node" condition's builds, web.ts that of runtimes whose Web Crypto has
  // Ed25519; they have the same declarations as index.ts and testing.ts, so no .d.ts of their own.
  entry: ["src/index.ts", "src/node.ts", "src/web.ts", "src/testing.ts", "src/testing-node.ts", "src/crypto/index.ts"],
  format: ["esm", "cjs"],
  dts: { entry: ["src/index.ts", "src/testing.ts", "src/crypto/index.ts"] },
  clean: true,
  target: "es2022",
  platform: "neutral",
  external: ["node:crypto", "@noble/ed25519", "@telnyx-voice/types"],
});
