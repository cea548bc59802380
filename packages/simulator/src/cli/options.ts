// Command-line parsing for `telnyx-voice-simulator`, kept apart from cli.ts so it can be tested without
// starting a process. Every flag maps to a `startSimulator` option.
import { parseArgs } from "node:util";
import type { FaultRule } from "../http/faults.js";
import type { SimulatorOptions } from "../options.js";

export const USAGE = `Usage: telnyx-voice-simulator [options]

A local Telnyx Call Control API with signed webhooks.

Options:
  --port <n>              Port (default 8787; 0 picks a free one)
  --host <addr>           Interface to bind (default 127.0.0.1)
  --webhook-url <url>     Where webhooks go when the dial/application gives no URL
  --api-key <key>         Bearer key clients must send (default: $TELNYX_API_KEY, else KEY_SIMULATOR)
  --answer-delay-ms <n>   Ring time before outbound calls are answered (default 100)
  --media-duration-ms <n> How long speak/playback last (default 50)
  --fault-rate <0..1>     Probability of a random fault (429/500/503/drop) per API request
  --fault-seed <n>        Seed for random faults (default 1)
  --faults <json>         Fault rules, e.g. '[{"route":"SpeakCall","fault":{"type":"status","status":503},"times":1}]'
  -h, --help              Show this help
`;

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`);
  return n;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): SimulatorOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "webhook-url": { type: "string" },
      "api-key": { type: "string" },
      "answer-delay-ms": { type: "string" },
      "media-duration-ms": { type: "string" },
      "fault-rate": { type: "string" },
      "fault-seed": { type: "string" },
      faults: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  let rules: FaultRule[] | undefined;
  if (values.faults !== undefined) {
    try {
      rules = JSON.parse(values.faults) as FaultRule[];
    } catch {
      throw new Error("--faults must be a JSON array of fault rules");
    }
    if (!Array.isArray(rules)) throw new Error("--faults must be a JSON array of fault rules");
  }
  const rate = num("fault-rate", values["fault-rate"]);
  const seed = num("fault-seed", values["fault-seed"]);
  return {
    port: num("port", values.port) ?? 8787,
    host: values.host ?? "127.0.0.1",
    webhookUrl: values["webhook-url"] ?? env.TELNYX_WEBHOOK_URL,
    apiKey: values["api-key"] ?? env.TELNYX_API_KEY,
    answerDelayMs: num("answer-delay-ms", values["answer-delay-ms"]),
    mediaDurationMs: num("media-duration-ms", values["media-duration-ms"]),
    faults: rules || rate !== undefined ? { rules, rate, seed } : undefined,
  };
}

/** The start-up banner. It names where the key comes from, never the key itself. */
export function banner(info: { url: string; publicKey: string; webhookUrl: string | undefined; keySource: string }) {
  const control = info.url.replace(/\/v2$/, "/_simulator");
  return [
    "telnyx-voice-simulator is running",
    `  Base URL     ${info.url}`,
    `  Public key   ${info.publicKey}`,
    `  Webhook URL  ${info.webhookUrl ?? "(none: set per application or per dial with webhook_url)"}`,
    `  API key      ${info.keySource}`,
    `  Far end      POST ${control}/inbound_calls, POST ${control}/calls/{id}/press_digits`,
    "  Outcomes     to ...0486 busy, ...0408 no answer, ...0404 not found, ...0603 rejected; else answered",
    "Press Ctrl+C to stop.",
  ].join("\n");
}
