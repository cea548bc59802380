// JSON Schema validation against the slice itself (ajv, draft 2020-12 since the spec is OpenAPI 3.1). The whole
// slice is registered under one $id (ajv.ts) so every `#/components/...` reference resolves. This module is the
// one way in: `validateRequest` for requests, `responseValidator` / `eventValidator` for tests. It alone names
// the cache keys; validators are compiled once per process, on first use or earlier on a background thread
// (precompile.ts), which hands them back through `adoptValidator`.
import type { Ajv2020, ValidateFunction } from "ajv/dist/2020.js";
import type { TelnyxErrorObject } from "../errors.js";
import { anchorRefs, createAjv } from "./ajv.js";
import { capErrors, toTelnyxErrors } from "./ajv-errors.js";
import { webhookEventTypes } from "./events.js";
import { type OperationObject, type ParameterObject, resolveRef, sliceDocument } from "./slice.js";

/** An operation of the slice, as the router found it. */
export interface OperationRoute {
  method: string;
  template: string;
  operation: OperationObject;
}

/** A schema to compile, under the cache key its validator is kept; `coerce` for path/query parameters. */
export interface CompileJob {
  key: string;
  schema: object;
  coerce: boolean;
}

let bodyAjv: Ajv2020 | undefined;
let paramAjv: Ajv2020 | undefined;
const cache = new Map<string, ValidateFunction>();
/** Keys of validators that need none (the operation declares no parameters there, or takes no JSON body). */
const nothingToCheck = new Set<string>();
/** Keys the background thread is compiling right now, with what resolves when it is back. */
const compilingElsewhere = new Map<string, Promise<void>>();

const keyOf = (kind: "body" | "path" | "query", route: OperationRoute) =>
  `${kind}:${route.method.toUpperCase()} ${route.template}`;

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

const jsonSchemaOf = (content: Record<string, { schema?: object }> | undefined) =>
  content?.["application/json"]?.schema;

/** The operation's parameters (path-level and operation-level), with references resolved. */
function parametersOf(template: string, op: OperationObject): ParameterObject[] {
  const pathLevel = (sliceDocument.paths[template] as { parameters?: OperationObject["parameters"] } | undefined)
    ?.parameters;
  return [...(pathLevel ?? []), ...(op.parameters ?? [])].map((p) => resolveRef<ParameterObject>(p));
}

function bodyJob(route: OperationRoute): CompileJob | undefined {
  const schema = jsonSchemaOf(route.operation.requestBody?.content);
  return schema ? { key: keyOf("body", route), schema, coerce: false } : undefined;
}

function parameterJob(location: "path" | "query", route: OperationRoute): CompileJob | undefined {
  const params = parametersOf(route.template, route.operation).filter((p) => p.in === location);
  if (params.length === 0) return undefined;
  const schema = {
    type: "object",
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema ?? {}])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
  return { key: keyOf(location, route), schema, coerce: true };
}

/** The validators a request to this route needs, compiled or not. */
export function requestJobs(route: OperationRoute): CompileJob[] {
  return [bodyJob(route), parameterJob("path", route), parameterJob("query", route)].filter(
    (job): job is CompileJob => job !== undefined,
  );
}

/** The validator for `kind` of this route, compiled on first use; undefined when there is nothing to check. */
function validatorFor(kind: "body" | "path" | "query", route: OperationRoute): ValidateFunction | undefined {
  const key = keyOf(kind, route);
  const cached = cache.get(key);
  if (cached || nothingToCheck.has(key)) return cached;
  const job = kind === "body" ? bodyJob(route) : parameterJob(kind, route);
  if (!job) {
    nothingToCheck.add(key);
    return undefined;
  }
  return compile(job);
}

export interface RequestValues {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  /** The parsed JSON body; ignored for operations without a JSON request body. */
  body: unknown;
}

/**
 * Validates a request against its operation: path and query parameters (coerced in place: "10" -> 10; unknown
 * query parameters are ignored, as Telnyx does), then the body. Resolves with Telnyx error objects, [] when valid,
 * at most MAX_ERRORS of them. A validator the background thread is compiling right now is waited for there
 * (without blocking the event loop) rather than compiled twice.
 */
export async function validateRequest(route: OperationRoute, values: RequestValues): Promise<TelnyxErrorObject[]> {
  const kinds = ["path", "query", "body"] as const;
  for (const kind of kinds) {
    const pending = compilingElsewhere.get(keyOf(kind, route));
    if (pending) await pending;
  }
  const errors: TelnyxErrorObject[] = [];
  for (const kind of kinds) {
    const validate = validatorFor(kind, route);
    if (validate && !validate(kind === "body" ? values.body : values[kind])) {
      errors.push(...toTelnyxErrors(validate.errors ?? [], kind === "body" ? "body" : "parameter"));
    }
  }
  return capErrors(errors);
}

/** For the background compiler: the jobs of these routes not compiled yet. */
export function pendingJobs(routes: OperationRoute[]): CompileJob[] {
  return routes.flatMap(requestJobs).filter((job) => !cache.has(job.key));
}

/** For the background compiler: it started on `key`; requests for it wait until `release()` is called. */
export function compilingOnThread(key: string): () => void {
  let release = () => {};
  compilingElsewhere.set(
    key,
    new Promise<void>((resolve) => {
      release = () => {
        compilingElsewhere.delete(key);
        resolve();
      };
    }),
  );
  return release;
}

/** Keeps a validator compiled elsewhere (the background thread), unless one was compiled here meanwhile. */
export function adoptValidator(key: string, load: () => ValidateFunction): boolean {
  if (cache.has(key)) return false;
  cache.set(key, load());
  return true;
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
    key: `response:${status}:${method.toUpperCase()} ${template}`,
    schema: jsonSchemaOf(resolved.content) ?? {},
    coerce: false,
  });
}

/** A validator for the webhook body whose `data.event_type` is `eventType` (used by the tests). */
export function eventValidator(eventType: string): ValidateFunction {
  const entry = webhookEventTypes().get(eventType);
  if (!entry) throw new Error(`No webhook in the slice has event_type ${eventType}`);
  return compile({ key: `event:${eventType}`, schema: entry.schema, coerce: false });
}
