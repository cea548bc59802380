// `telnyx-voice-simulator` / `pnpm simulator`: the simulator as a process, for apps in any language.
import { startSimulator } from "../simulator.js";
import { banner } from "./banner.js";
import { parseCli, USAGE } from "./options.js";

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed === "help") {
    console.log(USAGE);
    return;
  }
  const { apiKeyFrom, ...options } = parsed;
  // A process waits for its clients to connect: compile the validators meanwhile, off the event loop.
  const sim = await startSimulator({ ...options, precompileValidators: true });
  console.log(
    banner({
      url: sim.url,
      publicKey: sim.publicKey,
      webhookUrl: options.webhookUrl,
      apiKeyFrom,
      delivery: options.delivery,
    }),
  );
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
