// The slice's webhooks, by event type: which webhook (and body schema) carries each `data.event_type`, and the
// payload fields the spec declares for it. Read from the slice once, on first use.
import { resolveRef, sliceDocument } from "./slice.js";

const eventSchemas = new Map<string, { webhook: string; schema: object }>();

/** Every `data.event_type` the slice's webhooks declare, with the webhook name and body schema. */
export function webhookEventTypes(): Map<string, { webhook: string; schema: object }> {
  if (eventSchemas.size > 0) return eventSchemas;
  for (const [webhook, item] of Object.entries(sliceDocument.webhooks)) {
    const bodySchema = item.post.requestBody.content["application/json"]?.schema;
    if (!bodySchema) continue;
    const event = resolveRef<{ properties: { data: object } }>(bodySchema);
    const data = resolveRef<{ properties: { event_type: object } }>(
      event.properties.data as { properties: { event_type: object } },
    );
    const eventType = resolveRef<{ enum?: string[] }>(data.properties.event_type as { enum?: string[] });
    for (const type of eventType.enum ?? []) eventSchemas.set(type, { webhook, schema: bodySchema });
  }
  return eventSchemas;
}

export const isEventType = (value: string): boolean => webhookEventTypes().has(value);

const payloadKeys = new Map<string, Set<string>>();

/** The payload fields the spec declares for an event type: the simulator sends those and no others. */
export function payloadProperties(eventType: string): Set<string> {
  const cached = payloadKeys.get(eventType);
  if (cached) return cached;
  const entry = webhookEventTypes().get(eventType);
  if (!entry) throw new Error(`No webhook in the slice has event_type ${eventType}`);
  const event = resolveRef<{ properties: { data: object } }>(entry.schema as { properties: { data: object } });
  const data = resolveRef<{ properties: { payload?: object } }>(event.properties.data as { properties: object });
  const payload = data.properties.payload ? resolveRef<{ properties?: object }>(data.properties.payload) : undefined;
  const keys = new Set(Object.keys(payload?.properties ?? {}));
  payloadKeys.set(eventType, keys);
  return keys;
}

/** The values the spec allows for a payload field of an event type (its `enum`), or [] when it has none. */
export function payloadEnum(eventType: string, field: string): readonly string[] {
  const entry = webhookEventTypes().get(eventType);
  if (!entry) return [];
  const event = resolveRef<{ properties: { data: object } }>(entry.schema as { properties: { data: object } });
  const data = resolveRef<{ properties: { payload?: object } }>(event.properties.data as { properties: object });
  const payload = data.properties.payload
    ? resolveRef<{ properties?: Record<string, object> }>(data.properties.payload)
    : undefined;
  const schema = payload?.properties?.[field];
  return schema ? (resolveRef<{ enum?: string[] }>(schema).enum ?? []) : [];
}
