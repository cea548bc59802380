#!/usr/bin/env node
// `telnyx-voice-simulator` / `pnpm simulator`: the simulator as a process, for apps in any language.
import { DEFAULT_API_KEY } from "../options.js";
import { startSimulator } from "../simulator.js";
import { banner, parseCli, USAGE } from "./options.js";

async function main(): Promise<void> {
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  // A process waits for its clients to connect: compile the validators meanwhile, off the event loop.
  const sim = await startSimulator({ ...options, precompileValidators: true });
  const keySource =
    options.apiKey === undefined
      ? `${DEFAULT_API_KEY} (default; set --api-key or TELNYX_API_KEY to change it)`
      : "as given by --api-key / TELNYX_API_KEY (not shown)";
  console.log(banner({ url: sim.url, publicKey: sim.publicKey, webhookUrl: options.webhookUrl, keySource }));
  const shutdown = () => {
    sim.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(`telnyx-voice-simulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
