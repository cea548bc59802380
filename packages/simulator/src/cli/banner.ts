// The start-up banner: where the simulator is, the lines to export so an app or a quick start runs against it
// unchanged, and how to play the far end. It prints the webhook public key (public by design) and the default
// API key (not a secret: it only opens a local simulator), never a key someone chose.
import { OUTCOME_RULES } from "../calls/outcomes.js";
import { DEFAULT_API_KEY, type SimulatorOptions } from "../options.js";
import type { CliOptions } from "./options.js";

export interface BannerInfo {
  url: string;
  publicKey: string;
  webhookUrl: string | undefined;
  apiKeyFrom: CliOptions["apiKeyFrom"];
  delivery: SimulatorOptions["delivery"];
}

function deliveryLine(delivery: SimulatorOptions["delivery"]): string {
  const d = delivery ?? {};
  if (!d.duplicateRate && (d.concurrency ?? 1) === 1 && !d.jitterMs) {
    return "polite: each call's events once, in order, one at a time";
  }
  return [
    `duplicates ${Math.round((d.duplicateRate ?? 0) * 100)}%`,
    `up to ${d.concurrency ?? 1} of a call's events at once`,
    `jitter 0-${d.jitterMs ?? 0} ms`,
    `seed ${d.seed ?? 1}`,
  ].join(", ");
}

export function banner(info: BannerInfo): string {
  const control = info.url.replace(/\/v2$/, "/_simulator");
  const keyLine =
    info.apiKeyFrom === "default"
      ? `  export TELNYX_API_KEY=${DEFAULT_API_KEY}`
      : `  # TELNYX_API_KEY: the key given by ${info.apiKeyFrom} (not shown)`;
  const outcomes = OUTCOME_RULES.map((r) => `...${r.suffix} ${r.description}`).join(", ");
  return [
    "telnyx-voice-simulator is running",
    `  Base URL     ${info.url}`,
    `  Public key   ${info.publicKey}`,
    `  Webhook URL  ${info.webhookUrl ?? "(none: set per application or per dial with webhook_url)"}`,
    `  API key      ${info.apiKeyFrom === "default" ? `${DEFAULT_API_KEY} (default; set --api-key or TELNYX_API_KEY to change it)` : `as given by ${info.apiKeyFrom} (not shown)`}`,
    `  Delivery     ${deliveryLine(info.delivery)}`,
    `  Far end      POST ${control}/inbound_calls, POST ${control}/calls/{id}/press_digits`,
    `  Outcomes     to ${outcomes}; else answered`,
    "Point an app, an SDK or a quick start at it:",
    `  export TELNYX_BASE_URL=${info.url}`,
    `  export TELNYX_PUBLIC_KEY=${info.publicKey}`,
    keyLine,
    "Press Ctrl+C to stop.",
  ].join("\n");
}
