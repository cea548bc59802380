// One request plan per call, made before anything is sent and read by the fetch layer: the settings the
// call runs with (client options overridden by its own), its `command_id`, and whether it may be sent
// again. Making it also checks the call: options, path parameters, body names, required fields and phone
// numbers, so a refused call sends nothing.
import { CallAttempts } from "./attempts.js";
import type { Errors } from "./errors.js";
import { type RequestOptions, resolveRequestOptions, type Settings } from "./options.js";
import { checkPathParams } from "./path.js";
import type { RequestTelemetry } from "./telemetry.js";
import type { RetryPolicy } from "./retry.js";
import { bodyPlan, operationLabel, validateBody } from "./validation.js";

/** What a plan needs from its client. */
export interface PlanContext {
  readonly settings: Settings;
  readonly errors: Errors;
}

export class RequestPlan implements RetryPolicy {
  readonly method: string;
  readonly schemaPath: string;
  readonly settings: Settings;
  /** The caller's signal: aborts every attempt and every wait. */
  readonly signal: AbortSignal | undefined;
  /** The `command_id` every attempt carries (call commands only). */
  readonly commandId: string | undefined;
  /** The body to serialise: the caller's, copied to a plain object with `command_id` added where it applies. */
  readonly body: unknown;
  /** The call's attempts, closed when it ends. */
  readonly attempts: CallAttempts;
  /** Its spans and metrics, when telemetry is enabled (set by the request path). */
  telemetry: RequestTelemetry | undefined;
  // RetryPolicy: a GET (or HEAD) or a command with a command_id may be repeated; anything else only when
  // the failure shows the server never acted on it.
  readonly maxRetries: number;
  readonly repeatable: boolean;
  readonly commandTimeout: number | undefined;
  readonly backoff: Settings["backoff"];

  constructor(
    context: PlanContext,
    method: string,
    schemaPath: string,
    pathParams: Record<string, unknown> | undefined,
    body: unknown,
    options: RequestOptions | undefined,
  ) {
    this.method = method;
    this.schemaPath = schemaPath;
    const { errors } = context;
    const settings = options === undefined ? context.settings : resolveRequestOptions(this, context.settings, options);
    this.settings = settings;
    this.signal = options?.signal;
    checkPathParams(errors, this, schemaPath, pathParams);

    const plan = bodyPlan(method, schemaPath);
    let commandId: string | undefined;
    if (plan) {
      // A command sent with no body still gets one, to carry its command_id.
      if (body === undefined && plan.commandId) body = {};
      if (isJsonObject(body)) {
        // A class instance or a null-prototype object is checked and sent like a literal (copied, so no
        // prototype is consulted and the caller's object is never changed).
        let json = Object.getPrototypeOf(body) === Object.prototype ? (body as Record<string, unknown>) : { ...body };
        validateBody(errors, this, plan, json);
        if (plan.commandId) {
          const given = json.command_id;
          if (given !== undefined && (typeof given !== "string" || given === "")) {
            const expected = "a non-empty string, or nothing (the client then makes one)";
            throw errors.invalid(this.operation, "body field", "command_id", given, expected);
          }
          // One id per logical command, made here (once per call) so every attempt repeats it.
          commandId = given ?? newCommandId();
          if (commandId !== given) json = withCommandId(json, commandId);
        }
        body = json;
      } else if (body === undefined ? plan.required.length > 0 : !isSendableAsIs(body)) {
        throw errors.body(this.operation, body, plan.required);
      }
    }
    this.body = body;
    this.commandId = commandId;
    this.maxRetries = settings.maxRetries;
    this.repeatable = commandId !== undefined || method === "GET" || method === "HEAD";
    this.commandTimeout = commandId !== undefined ? settings.commandTimeout : undefined;
    this.backoff = settings.backoff;
    this.attempts = new CallAttempts(this.signal);
    this.telemetry = undefined;
  }

  /** `dial`, `hangup`, `GET /calls/{call_control_id}`: how messages name the call (built only when needed). */
  get operation(): string {
    return operationLabel(this.method, this.schemaPath);
  }
}

/**
 * A copy of `body` with `command_id` added. Copied key by key, not `{ ...body, command_id }`: V8 gives a spread
 * that then gains a key a slow (dictionary) shape, which cost more than the rest of the plan and made
 * JSON.stringify of the body three times slower.
 */
function withCommandId(body: Record<string, unknown>, commandId: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(body)) copy[key] = body[key];
  copy.command_id = commandId;
  return copy;
}

/** An object sent as JSON: not an array (sent as it is), not binary data. */
function isJsonObject(body: unknown): body is object {
  return body !== null && typeof body === "object" && !Array.isArray(body) && !isBinary(body);
}

/** Bodies passed through untouched: JSON text serialised by the caller, arrays, binary data. */
function isSendableAsIs(body: unknown): boolean {
  return (
    typeof body === "string" || Array.isArray(body) || (typeof body === "object" && body !== null && isBinary(body))
  );
}

/** Bodies fetch can send (and resend on retry) as they are. */
export function isBinary(body: object): boolean {
  return (
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    (typeof FormData !== "undefined" && body instanceof FormData) ||
    (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams)
  );
}

/** `crypto.randomUUID` is missing outside secure contexts (plain-http pages); getRandomValues is not. */
function newCommandId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
