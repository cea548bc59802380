import { WebhookVerificationError } from "./errors.js";
import type { WebhookEvent } from "./events.js";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Parses a verified body into an event; the types trust Telnyx for the rest of the shape. */
export function parseEvent(body: string | Uint8Array): WebhookEvent {
  let text: string;
  try {
    // The decoder drops a leading byte-order mark from bytes; drop it from a string too, so both agree.
    text = typeof body === "string" ? (body.charCodeAt(0) === 0xfeff ? body.slice(1) : body) : decoder.decode(body);
  } catch {
    throw new WebhookVerificationError("invalid_json", "The webhook body is not valid UTF-8, so it cannot be JSON.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WebhookVerificationError(
      "invalid_json",
      `The webhook body verified but is not JSON (${(error as Error).message}). Telnyx API v2 webhooks are JSON; ` +
        "use verify() instead of unwrap() for other payloads.",
    );
  }
  const data = typeof value === "object" && value !== null ? (value as { data?: unknown }).data : undefined;
  if (typeof data !== "object" || data === null || typeof (data as { event_type?: unknown }).event_type !== "string") {
    throw new WebhookVerificationError(
      "invalid_event",
      "The webhook body verified and is JSON, but has no data.event_type, so it is not a Telnyx API v2 event. " +
        "Check the webhook API version of your connection (v2), or use verify() and parse it yourself.",
    );
  }
  return value as WebhookEvent;
}
