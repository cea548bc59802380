#!/usr/bin/env node
// The `telnyx-voice-simulator` command. A committed file rather than dist/cli.js itself, so a package manager
// links the command on install, before anything is built (a fresh clone printed "Failed to create bin" three
// times); it runs the built CLI, and says what to do when there is none yet.
import("../dist/cli.js").catch((error) => {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.js")) {
    console.error("telnyx-voice-simulator: the simulator is not built yet; run `pnpm build` in the repository first.");
  } else {
    console.error(`telnyx-voice-simulator: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
