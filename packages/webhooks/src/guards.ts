import type { WebhookEvent, WebhookEventOf, WebhookEventType } from "./events.js";

/**
 * Narrows a whole event to the type(s) named: `if (isEventType(event, "call.hangup")) onHangup(event)`
 * passes a `CallHangupEvent`. Comparing `event.data.event_type` narrows only `event.data`, not `event`.
 * Anything that is not an event (no `data.event_type`) is `false`.
 */
export function isEventType<T extends WebhookEventType>(
  event: WebhookEvent,
  type: T | readonly T[],
): event is WebhookEventOf<T> {
  const actual = (event as { data?: { event_type?: unknown } } | null | undefined)?.data?.event_type;
  if (typeof actual !== "string") return false;
  return typeof type === "string" ? actual === type : (type as readonly string[]).includes(actual);
}
