// Command-line parsing for `telnyx-voice-simulator`, kept apart from main.ts so it can be tested without
// starting a process. Every flag maps to a `startSimulator` option.
import { parseArgs } from "node:util";
import type { FaultRule } from "../http/faults.js";
import type { SimulatorOptions } from "../options.js";

export const USAGE = `Usage: telnyx-voice-simulator [options]

A local Telnyx Call Control API with signed webhooks.

Options:
  --port <n>                    Port (default 8787; 0 picks a free one)
  --host <addr>                 Interface to bind (default 127.0.0.1)
  --webhook-url <url>           Where webhooks go when the dial/application gives no URL
                                (default: $TELNYX_WEBHOOK_URL)
  --api-key <key>               Bearer key clients must send (default: $TELNYX_API_KEY, else KEY_SIMULATOR)
  --answer-delay-ms <n>         Ring time before outbound calls are answered (default 100)
  --media-duration-ms <n>       How long speak/playback last (default 50)
  --machine-detection-ms <n>    From the answer to the answering machine detection result (default 50)
  --machine-greeting-ms <n>     An answering machine's greeting goes on this long more, then beeps (default 100)
  --recording-saved-delay-ms <n>
                                A recording's end to call.recording.saved, and that to its transcription (default 50)
  --stream-connect-timeout-ms <n>
                                Longest a media stream's WebSocket handshake may take (default 5000)
  --ended-call-retention-ms <n> How long an ended call is kept, then forgotten (default 600000)
  --key-file <path>             Keep the webhook signing keys in this file (made on first start), so the
                                public key survives restarts (default: $TELNYX_SIMULATOR_KEY_FILE, else new keys)
  --fault-rate <0..1>           Probability of a random fault (429/500/503/drop) per API request
  --fault-seed <n>              Seed for random faults (default 1)
  --faults <json>               Fault rules, e.g. '[{"route":"SpeakCall","fault":{"type":"status","status":503},"times":1}]'

Delivery as Telnyx does it (default: each call's events once, in order, one at a time):
  --duplicate-rate <0..1>       Share of events delivered twice (same data.id, signed anew)
  --concurrency <n>             Up to n of one call's events in flight at once (default 1)
  --jitter-ms <n>               Each delivery first waits a random 0..n ms, so events overtake (default 0)
  --seed <n>                    Seed for duplicates and jitter (default 1)

Media stream frames as a network may deliver them (default: every 20 ms frame on time, in order, once):
  --media-jitter-ms <n>         Each media frame first waits a random 0..n ms, so frames overtake (default 0)
  --media-reorder-rate <0..1>   Share of media frames held back to follow the next one
  --media-duplicate-rate <0..1> Share of media frames sent twice
  --media-seed <n>              Seed for those choices (default 1)
  -h, --help                    Show this help
`;

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`);
  return n;
}

export interface CliOptions extends SimulatorOptions {
  /** Where the API key came from, for the banner (which never prints a key someone chose). */
  apiKeyFrom: "--api-key" | "TELNYX_API_KEY" | "default";
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions | "help" {
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
      "machine-detection-ms": { type: "string" },
      "machine-greeting-ms": { type: "string" },
      "recording-saved-delay-ms": { type: "string" },
      "stream-connect-timeout-ms": { type: "string" },
      "ended-call-retention-ms": { type: "string" },
      "key-file": { type: "string" },
      "fault-rate": { type: "string" },
      "fault-seed": { type: "string" },
      faults: { type: "string" },
      "duplicate-rate": { type: "string" },
      concurrency: { type: "string" },
      "jitter-ms": { type: "string" },
      seed: { type: "string" },
      "media-jitter-ms": { type: "string" },
      "media-reorder-rate": { type: "string" },
      "media-duplicate-rate": { type: "string" },
      "media-seed": { type: "string" },
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
  const faultSeed = num("fault-seed", values["fault-seed"]);
  const delivery = {
    duplicateRate: num("duplicate-rate", values["duplicate-rate"]),
    concurrency: num("concurrency", values.concurrency),
    jitterMs: num("jitter-ms", values["jitter-ms"]),
    seed: num("seed", values.seed),
  };
  const media = {
    jitterMs: num("media-jitter-ms", values["media-jitter-ms"]),
    reorderRate: num("media-reorder-rate", values["media-reorder-rate"]),
    duplicateRate: num("media-duplicate-rate", values["media-duplicate-rate"]),
    seed: num("media-seed", values["media-seed"]),
  };
  const apiKey = values["api-key"] ?? env.TELNYX_API_KEY;
  return {
    port: num("port", values.port) ?? 8787,
    host: values.host ?? "127.0.0.1",
    webhookUrl: values["webhook-url"] ?? env.TELNYX_WEBHOOK_URL,
    keyFile: values["key-file"] ?? env.TELNYX_SIMULATOR_KEY_FILE,
    apiKey,
    apiKeyFrom: values["api-key"] !== undefined ? "--api-key" : apiKey !== undefined ? "TELNYX_API_KEY" : "default",
    answerDelayMs: num("answer-delay-ms", values["answer-delay-ms"]),
    mediaDurationMs: num("media-duration-ms", values["media-duration-ms"]),
    machineDetectionMs: num("machine-detection-ms", values["machine-detection-ms"]),
    machineGreetingMs: num("machine-greeting-ms", values["machine-greeting-ms"]),
    recordingSavedDelayMs: num("recording-saved-delay-ms", values["recording-saved-delay-ms"]),
    streamConnectTimeoutMs: num("stream-connect-timeout-ms", values["stream-connect-timeout-ms"]),
    endedCallRetentionMs: num("ended-call-retention-ms", values["ended-call-retention-ms"]),
    faults: rules || rate !== undefined ? { rules, rate, seed: faultSeed } : undefined,
    // Only the flags given: the rest keep startSimulator's defaults.
    delivery: Object.values(delivery).some((v) => v !== undefined)
      ? (Object.fromEntries(
          Object.entries(delivery).filter(([, v]) => v !== undefined),
        ) as SimulatorOptions["delivery"])
      : undefined,
    media: Object.values(media).some((v) => v !== undefined)
      ? (Object.fromEntries(Object.entries(media).filter(([, v]) => v !== undefined)) as SimulatorOptions["media"])
      : undefined,
  };
}
