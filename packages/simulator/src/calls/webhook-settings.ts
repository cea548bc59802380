// What a dial, answer or transfer says about its call's webhooks: `webhook_url`, `webhook_urls` (an event type
// sent to its own URL) and `webhook_retries_policies` (per event type, exactly the given redelivery delays). Checked
// here for what the schema cannot see: http(s) URLs, real event types, the 60 s cap the spec states in prose. A
// mistake is a 422 naming the field, never an entry quietly ignored.
import { cannotExecute, invalidParameter, quote } from "../errors.js";
import { isEventType, webhookEventTypes } from "../schema/events.js";
import { checkWebhookUrl } from "../schema/prose-checks.js";

/** The spec: "Maximum 5 retries, total delay cannot exceed 60 seconds." (5 is the schema's maxItems.) */
export const MAX_RETRIES_TOTAL_MS = 60_000;

export interface WebhookSettings {
  webhookUrl: string | undefined;
  /** Undefined when the command did not give `webhook_urls`. */
  eventUrls: Map<string, string> | undefined;
  /** Undefined when the command did not give `webhook_retries_policies`. */
  retryPolicies: Map<string, number[]> | undefined;
}

function checkEventType(key: string, field: string): void {
  if (isEventType(key)) return;
  const near = [...webhookEventTypes().keys()].find((t) => t.startsWith(key) || key.startsWith(t));
  throw invalidParameter(
    `'${field}' has the key ${quote(key)}, which is no event type of the spec${near ? `; did you mean '${near}'?` : "."}`,
    { pointer: `/${field}/${key}` },
  );
}

function refuseGet(body: Record<string, unknown>, field: string): void {
  if (body[field] === "GET") {
    throw cannotExecute(
      `'${field}' GET is not simulated: the simulator delivers webhooks as signed POSTs. Leave it out or send "POST".`,
    );
  }
}

export function readWebhookSettings(body: Record<string, unknown>): WebhookSettings {
  refuseGet(body, "webhook_url_method");
  refuseGet(body, "webhook_urls_method");
  checkWebhookUrl(body.webhook_url, "/webhook_url");
  let eventUrls: Map<string, string> | undefined;
  if (body.webhook_urls !== undefined) {
    eventUrls = new Map();
    for (const [type, url] of Object.entries(body.webhook_urls as Record<string, unknown>)) {
      checkEventType(type, "webhook_urls");
      checkWebhookUrl(url, `/webhook_urls/${type}`);
      eventUrls.set(type, url as string);
    }
  }
  let retryPolicies: Map<string, number[]> | undefined;
  if (body.webhook_retries_policies !== undefined) {
    retryPolicies = new Map();
    const policies = body.webhook_retries_policies as Record<string, { retries_ms?: unknown }>;
    for (const [type, policy] of Object.entries(policies)) {
      checkEventType(type, "webhook_retries_policies");
      const pointer = `/webhook_retries_policies/${type}/retries_ms`;
      const delays = policy.retries_ms;
      if (!Array.isArray(delays)) {
        throw invalidParameter(
          `'webhook_retries_policies.${type}.retries_ms' is required: the delays of its retries.`,
          {
            pointer,
          },
        );
      }
      if (!delays.every((d) => Number.isInteger(d) && d >= 0)) {
        throw invalidParameter(`'webhook_retries_policies.${type}.retries_ms' must hold integers >= 0.`, { pointer });
      }
      const total = (delays as number[]).reduce((a, b) => a + b, 0);
      if (total > MAX_RETRIES_TOTAL_MS) {
        throw invalidParameter(
          `'webhook_retries_policies.${type}.retries_ms' adds up to ${total} ms; the total cannot exceed ${MAX_RETRIES_TOTAL_MS} ms.`,
          { pointer },
        );
      }
      retryPolicies.set(type, delays as number[]);
    }
  }
  return { webhookUrl: body.webhook_url as string | undefined, eventUrls, retryPolicies };
}
