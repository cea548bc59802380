import { copyFileSync, mkdirSync } from "node:fs";
import { defineConfig } from "tsup";

// The spec slice (450 KB) ships once, as dist/voice-slice.json read at run time (schema/slice.ts), instead of
// inlined into each bundle. The CLI is built as ESM only (bin/telnyx-voice-simulator.js imports it), sharing
// its chunk with the ESM entry; the library is ESM and CJS. dist is emptied by the build script (clean here
// would race between the two configs, which tsup runs side by side).
const copySlice = async () => {
  mkdirSync("dist", { recursive: true });
  copyFileSync("src/generated/voice-slice.json", "dist/voice-slice.json");
};

export default defineConfig([
  {
    entry: { index: "src/index.ts", cli: "src/cli/main.ts" },
    format: ["esm"],
    dts: { entry: { index: "src/index.ts" } },
    target: "es2022",
    onSuccess: copySlice,
  },
  {
    entry: { index: "src/index.ts" },
    format: ["cjs"],
    dts: { entry: { index: "src/index.ts" } },
    target: "es2022",
    // schema/precompile.ts and schema/slice.ts use import.meta.url; the CJS build needs the shim for it.
    shims: true,
  },
]);
