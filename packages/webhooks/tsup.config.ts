import { defineConfig, type Options } from "tsup";

// Both builds write into dist/ at once, so neither cleans it: the build script empties it first.
const shared: Options = {
  clean: false,
  target: "es2022",
  platform: "neutral",
  external: ["node:crypto", "@noble/ed25519", "@telnyx-voice/types"],
};

// node.ts and testing-node.ts are the "node" condition's builds, web.ts that of runtimes whose Web Crypto has
// Ed25519 (Workers, Deno, Bun, Vercel Edge); they have the same declarations as index.ts and testing.ts, so no
// .d.ts of their own. Those runtimes load ES modules: web.ts has no CommonJS build (their `require` gets
// index.cjs), which keeps a 47 KB file out of every install.
export default defineConfig([
  {
    ...shared,
    entry: ["src/index.ts", "src/node.ts", "src/web.ts", "src/testing.ts", "src/testing-node.ts", "src/crypto/index.ts", "src/otel.ts"],
    format: ["esm"],
    dts: { entry: ["src/index.ts", "src/testing.ts", "src/crypto/index.ts", "src/otel.ts"] },
  },
  {
    ...shared,
    entry: ["src/index.ts", "src/node.ts", "src/testing.ts", "src/testing-node.ts", "src/crypto/index.ts", "src/otel.ts"],
    format: ["cjs"],
    dts: { entry: ["src/index.ts", "src/testing.ts", "src/crypto/index.ts", "src/otel.ts"] },
  },
]);
