// A compact, committed description of the slice (packages/types/src/generated/api-summary.json), so a
// regeneration can say what changed without keeping or re-parsing the previous spec.
import { createHash } from "node:crypto";
import type { Slice } from "./slice.ts";

export interface SchemaSummary {
  /** Field name -> hash of its schema (descriptions and examples left out). */
  fields: Record<string, string>;
  /** Hash of the whole schema (descriptions and examples left out). */
  hash: string;
  /** Which side of the API reaches it: decides which packages' public types changed. */
  usedBy: Array<"paths" | "webhooks">;
}

export interface ApiSummary {
  spec: { origin: string; sha256: string; version: string };
  /** `METHOD /path` -> hash of the operation. */
  operations: Record<string, string>;
  /** webhook name -> hash of the webhook. */
  webhooks: Record<string, string>;
  schemas: Record<string, SchemaSummary>;
  /** Action path segment -> the "Expected Webhooks" bullets of its description (what completes it in flows). */
  expectedWebhooks: Record<string, string[]>;
}

const NOISE = new Set(["description", "example", "examples", "summary", "title", "externalDocs", "x-latency-category"]);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (!NOISE.has(key)) out[key] = canonical((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

export function hashOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(canonical(value))).digest("hex").slice(0, 12);
}

function fieldsOf(schema: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  const visit = (s: unknown) => {
    if (!s || typeof s !== "object") return;
    const { properties, allOf } = s as { properties?: Record<string, unknown>; allOf?: unknown[] };
    for (const [name, prop] of Object.entries(properties ?? {})) fields[name] = hashOf(prop);
    for (const part of allOf ?? []) visit(part);
  };
  visit(schema);
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Inlines refs to responses, parameters, request bodies and headers (not schemas), so an operation whose
 * response moved between `components/responses` and inline hashes the same: only its types matter.
 */
function inlineNonSchemaRefs(node: unknown, doc: Slice["doc"]): unknown {
  if (Array.isArray(node)) return node.map((n) => inlineNonSchemaRefs(n, doc));
  if (!node || typeof node !== "object") return node;
  const ref = (node as { $ref?: unknown }).$ref;
  const m = typeof ref === "string" ? /^#\/components\/(responses|parameters|requestBodies|headers)\/(.+)$/.exec(ref) : null;
  if (m) return inlineNonSchemaRefs(doc.components?.[m[1] as string]?.[m[2] as string], doc);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inlineNonSchemaRefs(v, doc)]));
}

export function summarize(slice: Slice, spec: ApiSummary["spec"], expectedWebhooks: Record<string, string[]>): ApiSummary {
  const { doc } = slice;
  const operations: Record<string, string> = {};
  for (const op of slice.operations) {
    const [method, path] = op.split(" ") as [string, string];
    operations[op] = hashOf(inlineNonSchemaRefs(doc.paths?.[path]?.[method.toLowerCase()], doc));
  }
  const webhooks: Record<string, string> = {};
  for (const name of slice.webhooks) webhooks[name] = hashOf(doc.webhooks?.[name]);
  const schemas: Record<string, SchemaSummary> = {};
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const pointer = `#/components/schemas/${name}`;
    const usedBy: SchemaSummary["usedBy"] = [];
    if (slice.reachedFromPaths.has(pointer)) usedBy.push("paths");
    if (slice.reachedFromWebhooks.has(pointer)) usedBy.push("webhooks");
    schemas[name] = { fields: fieldsOf(schema), hash: hashOf(schema), usedBy };
  }
  const expected = Object.fromEntries(Object.entries(expectedWebhooks).sort(([a], [b]) => a.localeCompare(b)));
  return { spec, operations, webhooks, schemas, expectedWebhooks: expected };
}
