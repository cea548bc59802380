import type { CallEventOf, CallEventType, TelnyxCallEvent, WebhookMeta } from "@telnyx-voice/types";

/**
 * Every call-family webhook of the spec, as delivered: a union discriminated on `data.event_type`.
 * Derived from the spec's `webhooks` by `@telnyx-voice/types`, so it follows `pnpm generate`.
 */
export type TelnyxWebhookEvent = TelnyxCallEvent;

/** The `data.event_type` of every known event: `"call.answered" | "call.hangup" | ...`. */
export type WebhookEventType = CallEventType;

/** The known event whose `data.event_type` is `T` (a union when `T` is). */
export type WebhookEventOf<T extends WebhookEventType> = CallEventOf<T>;

/**
 * The `event_type` of an event this version's types do not know. At run time it is the plain string Telnyx
 * sent. Its declared pattern (real event types never contain a space) exists so that comparing
 * `event.data.event_type` with a known literal narrows unknown events away; to compare it with a type
 * this version does not know, compare as a string: `(event.data.event_type as string) === "call.new"`.
 */
export type UnknownEventType = `${string} (unknown event type)`;

/** An event whose type is newer than these types: verified, parsed, but with an untyped payload. */
export interface UnknownWebhookEvent {
  data: {
    record_type: string;
    event_type: UnknownEventType;
    id: string;
    occurred_at: string;
    payload: Record<string, unknown>;
  };
  meta: WebhookMeta;
}

/** What `unwrap` returns: a known, narrowable event, or an event of a type newer than these types. */
export type WebhookEvent = TelnyxWebhookEvent | UnknownWebhookEvent;

export type { WebhookMeta };
