// JSON Schema validation against the slice itself (ajv, draft 2020-12 since the spec is OpenAPI 3.1).
// The whole slice is registered under one $id (ajv-setup.ts) so every `#/components/...` reference resolves.
// Validators are compiled once per process: on first use, or earlier on a background thread (warm-up.ts).
import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { anchorRefs, createAjv } from "./ajv-setup.js";
import type { TelnyxErrorObject } from "./errors.js";
import { type OperationObject, type ParameterObject, resolveRef, sliceDocument } from "./spec.js";

let bodyAjv: Ajv2020 | undefined;
let paramAjv: Ajv2020 | undefined;
const cache = new Map<string, ValidateFunction>();
/** `${location}:${operation}` keys that declare no parameters there, so requests skip the lookup. */
const withoutParameters = new Set<string>();

/** A schema to compile, under the cache key its validator is kept; `coerce` for path/query parameters. */
export interface CompileJob {
  key: string;
  schema: object;
  coerce: boolean;
}

function compile(job: CompileJob): ValidateFunction {
  const cached = cache.get(job.key);
  if (cached) return cached;
  if (job.coerce) paramAjv ??= createAjv(true);
  else bodyAjv ??= createAjv(false);
  const ajv = (job.coerce ? paramAjv : bodyAjv) as Ajv2020;
  const validate = ajv.compile(anchorRefs(job.schema) as object);
  cache.set(job.key, validate);
  return validate;
}

/** Keeps a validator compiled elsewhere (the background thread), unless one was compiled here meanwhile. */
export function adoptValidator(key: string, validate: ValidateFunction): void {
  if (!cache.has(key)) cache.set(key, validate);
}

export const isCompiled = (key: string) => cache.has(key);

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
    if (
      branches.length === 0 ||
      !branches.every((e) => e.keyword === "required" && e.instancePath === composite.instancePath)
    )
      continue;
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

export function bodyJob(method: string, template: string, op: OperationObject): CompileJob | undefined {
  const schema = jsonSchemaOf(op.requestBody?.content);
  return schema ? { key: `body:${operationKey(method, template)}`, schema, coerce: false } : undefined;
}

/** The operation's request body validator, compiled on first call; undefined when it takes no JSON body. */
function bodyValidator(method: string, template: string, op: OperationObject): ValidateFunction | undefined {
  const job = bodyJob(method, template, op);
  return job ? compile(job) : undefined;
}

/** Validates a request body against the operation's JSON request schema. Returns [] when valid. */
export function validateRequestBody(method: string, template: string, op: OperationObject, body: unknown) {
  const validate = bodyValidator(method, template, op);
  if (!validate) return [];
  return validate(body) ? [] : toTelnyxErrors(validate.errors ?? [], "body");
}

/** The operation's parameters (path-level and operation-level), with references resolved. */
export function parametersOf(template: string, op: OperationObject): ParameterObject[] {
  const pathLevel = (sliceDocument.paths[template] as { parameters?: OperationObject["parameters"] } | undefined)
    ?.parameters;
  return [...(pathLevel ?? []), ...(op.parameters ?? [])].map((p) => resolveRef<ParameterObject>(p));
}

export function parameterJob(
  location: "path" | "query",
  method: string,
  template: string,
  op: OperationObject,
): CompileJob | undefined {
  const params = parametersOf(template, op).filter((p) => p.in === location);
  if (params.length === 0) return undefined;
  const schema = {
    type: "object",
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema ?? {}])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
  return { key: `${location}:${operationKey(method, template)}`, schema, coerce: true };
}

/** The validator of the operation's path or query parameters (coercing "10" -> 10); undefined when it has none. */
function parameterValidator(
  location: "path" | "query",
  method: string,
  template: string,
  op: OperationObject,
): ValidateFunction | undefined {
  const key = `${location}:${operationKey(method, template)}`;
  const cached = cache.get(key);
  if (cached || withoutParameters.has(key)) return cached;
  const job = parameterJob(location, method, template, op);
  if (!job) withoutParameters.add(key);
  return job ? compile(job) : undefined;
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
    const validate = parameterValidator(location, method, template, op);
    if (validate && !validate(values[location])) errors.push(...toTelnyxErrors(validate.errors ?? [], "parameter"));
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
  return compile({
    key: `response:${status}:${operationKey(method, template)}`,
    schema: jsonSchemaOf(resolved.content) ?? {},
    coerce: false,
  });
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
  return compile({ key: `event:${eventType}`, schema: entry.schema, coerce: false });
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
