// JSON Schema validation against the slice itself (ajv, draft 2020-12 since the spec is OpenAPI 3.1).
// The whole slice is registered under one $id so every `#/components/...` reference resolves; validators are
// compiled lazily and cached, because compiling all 217 schemas up front costs about a second.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { TelnyxErrorObject } from "./errors.js";
import { type OperationObject, type ParameterObject, resolveRef, sliceDocument } from "./spec.js";

const SLICE_ID = "telnyx-voice-slice.json";

// ajv-formats ships as CJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

function createAjv(coerceTypes: boolean): Ajv2020 {
  // strict: false because the spec carries OpenAPI keywords (discriminator, example, x-*) ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes, validateFormats: true });
  addFormats(ajv);
  // Formats the spec uses that are not JSON Schema formats: "url" is checked like "uri"; the rest are hints.
  ajv.addFormat("url", /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  for (const hint of ["integer", "wav", "float"]) ajv.addFormat(hint, true);
  ajv.addSchema({ ...sliceDocument, $id: SLICE_ID });
  return ajv;
}

let bodyAjv: Ajv2020 | undefined;
let paramAjv: Ajv2020 | undefined;
const cache = new Map<string, ValidateFunction>();

/** Rewrites local `#/...` references so an inline schema can be compiled on its own. */
function anchorRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(anchorRefs);
  if (node && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === "$ref" && typeof value === "string" && value.startsWith("#/") ? SLICE_ID + value : anchorRefs(value);
    }
    return out;
  }
  return node;
}

function compile(key: string, schema: object, coerce = false): ValidateFunction {
  const cached = cache.get(key);
  if (cached) return cached;
  bodyAjv ??= createAjv(false);
  paramAjv ??= createAjv(true);
  const validate = (coerce ? paramAjv : bodyAjv).compile(anchorRefs(schema) as object);
  cache.set(key, validate);
  return validate;
}

function jsonSchemaOf(content: Record<string, { schema?: object }> | undefined): object | undefined {
  return content?.["application/json"]?.schema;
}

const TYPE_WORDS: Record<string, string> = { string: "a string", array: "an array", object: "an object" };

/** Turns ajv errors into Telnyx error objects, one per offending location, most specific message first. */
export function toTelnyxErrors(errors: ErrorObject[], where: "body" | "parameter"): TelnyxErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  const out: TelnyxErrorObject[] = [];
  // "anyOf: [{required: [a]}, {required: [b]}]" means "one of a, b is required": say that, once.
  const alternatives = new Set<ErrorObject>();
  for (const composite of errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf")) {
    const branches = errors.filter((e) => e !== composite && e.schemaPath.startsWith(`${composite.schemaPath}/`));
    if (branches.length === 0 || !branches.every((e) => e.keyword === "required" && e.instancePath === composite.instancePath)) continue;
    const names = branches.map((e) => `'${(e.params as { missingProperty: string }).missingProperty}'`);
    const first = (branches[0]!.params as { missingProperty: string }).missingProperty;
    const pointer = `${composite.instancePath}/${first}`;
    out.push({
      code: "10004",
      title: "Missing required parameter",
      detail: `One of ${names.join(", ")} is required.`,
      source: where === "body" ? { pointer } : { parameter: parameterName(pointer) },
    });
    for (const e of [composite, ...branches]) alternatives.add(e);
  }
  for (const error of errors) {
    if (alternatives.has(error)) continue;
    const path =
      error.keyword === "required"
        ? `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`
        : error.keyword === "additionalProperties"
          ? `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`
          : error.instancePath;
    const list = byPath.get(path) ?? [];
    list.push(error);
    byPath.set(path, list);
  }
  for (const [path, list] of byPath) {
    const name = where === "body" ? path.slice(1).replaceAll("/", ".") : parameterName(path);
    const source = where === "body" ? { pointer: path } : { parameter: name };
    const types = list.filter((e) => e.keyword === "type").map((e) => String((e.params as { type: string }).type));
    const first = list.find((e) => !["oneOf", "anyOf", "if"].includes(e.keyword)) ?? list[0]!;
    const label = name === "" ? "The request body" : `'${name}'`;
    if (first.keyword === "required") {
      out.push({ code: "10004", title: "Missing required parameter", detail: `${label} is required.`, source });
    } else if (types.length > 0) {
      const expected = types.map((t) => TYPE_WORDS[t] ?? `a ${t}`).join(" or ");
      out.push({ code: "10015", title: "Invalid parameter", detail: `${label} must be ${expected}.`, source });
    } else if (first.keyword === "enum") {
      const allowed = (first.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      out.push({
        code: "10032",
        title: "Invalid enumerated value",
        detail: `${label} must be one of ${allowed.join(", ")}.`,
        source,
      });
    } else if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].includes(first.keyword)) {
      out.push({ code: "10033", title: "Value outside of range", detail: `${label} ${first.message}.`, source });
    } else if (first.keyword === "additionalProperties") {
      out.push({ code: "10015", title: "Invalid parameter", detail: `${label} is not a known parameter.`, source });
    } else {
      out.push({ code: "10015", title: "Invalid parameter", detail: `${label} ${first.message}.`, source });
    }
  }
  return out;
}

/** `/page/size` -> `page[size]` (deepObject query style). */
function parameterName(path: string): string {
  const [head, ...rest] = path.slice(1).split("/");
  return (head ?? "") + rest.map((p) => `[${p}]`).join("");
}

export function operationKey(method: string, template: string): string {
  return `${method.toUpperCase()} ${template}`;
}

/** Validates a request body against the operation's JSON request schema. Returns [] when valid. */
export function validateRequestBody(method: string, template: string, op: OperationObject, body: unknown) {
  const schema = jsonSchemaOf(op.requestBody?.content);
  if (!schema) return [];
  const validate = compile(`body:${operationKey(method, template)}`, schema);
  return validate(body) ? [] : toTelnyxErrors(validate.errors ?? [], "body");
}

/** The operation's parameters (path-level and operation-level), with references resolved. */
export function parametersOf(template: string, op: OperationObject): ParameterObject[] {
  const pathLevel = (sliceDocument.paths[template] as { parameters?: OperationObject["parameters"] } | undefined)
    ?.parameters;
  return [...(pathLevel ?? []), ...(op.parameters ?? [])].map((p) => resolveRef<ParameterObject>(p));
}

/**
 * Validates (and coerces in place: "10" -> 10) the path and query parameters the operation declares.
 * Unknown query parameters are ignored, as Telnyx does.
 */
export function validateParameters(
  method: string,
  template: string,
  op: OperationObject,
  values: { path: Record<string, unknown>; query: Record<string, unknown> },
): TelnyxErrorObject[] {
  const errors: TelnyxErrorObject[] = [];
  for (const location of ["path", "query"] as const) {
    const params = parametersOf(template, op).filter((p) => p.in === location);
    if (params.length === 0) continue;
    const schema = {
      type: "object",
      properties: Object.fromEntries(params.map((p) => [p.name, p.schema ?? {}])),
      required: params.filter((p) => p.required).map((p) => p.name),
    };
    const validate = compile(`${location}:${operationKey(method, template)}`, schema, true);
    if (!validate(values[location])) errors.push(...toTelnyxErrors(validate.errors ?? [], "parameter"));
  }
  return errors;
}

/** A validator for an operation's response body with the given status (used by the tests). */
export function responseValidator(method: string, template: string, status: number): ValidateFunction {
  const op = sliceDocument.paths[template]?.[method.toLowerCase()];
  if (!op) throw new Error(`No operation ${method} ${template} in the slice`);
  const response = op.responses[String(status)] ?? op.responses.default;
  if (!response) throw new Error(`${method} ${template} declares no ${status} response`);
  const resolved = resolveRef<{ content?: Record<string, { schema?: object }> }>(
    response as { content?: Record<string, { schema?: object }> },
  );
  return compile(`response:${status}:${operationKey(method, template)}`, jsonSchemaOf(resolved.content) ?? {});
}

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

/** A validator for the webhook body whose `data.event_type` is `eventType` (used by the tests). */
export function eventValidator(eventType: string): ValidateFunction {
  const entry = webhookEventTypes().get(eventType);
  if (!entry) throw new Error(`No webhook in the slice has event_type ${eventType}`);
  return compile(`event:${eventType}`, entry.schema);
}

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
