// Telnyx takes nested query objects as deepObject: `page[size]=2`, `filter[occurred_at][gte]=...`.
// openapi-fetch's default serializer stops at one level of nesting, so the client brings its own.

/** `{ page: { size: 2 }, filter: { occurred_at: { gte: "..." } } }` -> `page[size]=2&filter[occurred_at][gte]=...`. */
export function serializeQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return "";
  const parts: string[] = [];
  for (const key in query) add(parts, key, query[key]);
  return parts.join("&");
}

function add(parts: string[], name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) add(parts, name, item);
  } else if (value instanceof Date) {
    parts.push(`${encodeName(name)}=${encodeURIComponent(value.toISOString())}`);
  } else if (typeof value === "object") {
    for (const key in value) add(parts, `${name}[${key}]`, (value as Record<string, unknown>)[key]);
  } else {
    parts.push(`${encodeName(name)}=${encodeURIComponent(String(value))}`);
  }
}

/** Brackets stay literal, as in Telnyx's documentation; anything else in a name is percent-encoded. */
function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/%5B/g, "[").replace(/%5D/g, "]");
}
