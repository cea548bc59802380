// Every failure the client reports is one of these classes, thrown (never returned), and every one is
// built here: the classes, their message text, and `Errors`, the per-client factory the rest of the client
// calls. The factory runs all text that came from a server or a caller through the client's Redactor, so
// the API key cannot leave through a message, a kept body, a header or a `cause`.
import type { ApiErrorObject } from "@telnyx-voice/types";
import type { Redactor } from "./secrets.js";

/** One error object of an error response. Telnyx sends `detail` on most endpoints and `description` on some. */
export type TelnyxErrorObject = ApiErrorObject & { description?: string };

/** Base class of every error the client throws. */
export class TelnyxError extends Error {
  override name = "TelnyxError";
}

/** A non-2xx response. `errors` are the API's error objects, `detail` filled from `description` when absent. */
export class APIError extends TelnyxError {
  override name = "APIError";
  readonly status: number;
  readonly headers: Headers;
  readonly errors: TelnyxErrorObject[];
  /** The response body when it was not the API's `{ errors: [...] }` shape (e.g. an HTML page from a proxy). */
  readonly body: unknown;

  constructor(status: number, headers: Headers, errors: TelnyxErrorObject[], body: unknown, message: string) {
    super(message);
    this.status = status;
    this.headers = headers;
    this.errors = errors;
    this.body = body;
  }

  /** The `x-request-id` Telnyx support asks for, when the response had one. */
  get requestId(): string | undefined {
    return this.headers.get("x-request-id") ?? undefined;
  }
}

export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
export class ConflictError extends APIError {
  override name = "ConflictError";
}
export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/** 429. The `x-ratelimit-*` headers say how many requests the window allows, how many are left, and when it resets. */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
  get limit(): number | undefined {
    return numberHeader(this.headers, "x-ratelimit-limit");
  }
  get remaining(): number | undefined {
    return numberHeader(this.headers, "x-ratelimit-remaining");
  }
  /** The `x-ratelimit-reset` header as sent (Telnyx documents it in seconds). */
  get reset(): number | undefined {
    return numberHeader(this.headers, "x-ratelimit-reset");
  }
}

/** The request could not be sent or no response came (DNS, refused, reset). */
export class APIConnectionError extends TelnyxError {
  override name = "APIConnectionError";
}

/** No complete response (headers and body) within `timeout` on the last attempt. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";
}

/** The caller's `signal` aborted the request. */
export class APIUserAbortError extends TelnyxError {
  override name = "APIUserAbortError";
}

/** A response body larger than `maxResponseBytes`: refused without reading it whole. */
export class ResponseTooLargeError extends TelnyxError {
  override name = "ResponseTooLargeError";
  /** The limit in force (`maxResponseBytes`). */
  readonly maxResponseBytes: number;
  /** The `Content-Length` the server announced, when it announced one. */
  readonly contentLength: number | undefined;
  constructor(message: string, maxResponseBytes: number, contentLength: number | undefined) {
    super(message);
    this.maxResponseBytes = maxResponseBytes;
    this.contentLength = contentLength;
  }
}

/**
 * `dialRate`: the dial's slot was further away than `maxWaitMs` (more dials are queued than the rate lets through
 * in that time), so the dial was not sent.
 */
export class DialRateError extends TelnyxError {
  override name = "DialRateError";
  /** How long the dial would have waited for its slot, in ms. */
  readonly waitMs: number;
  constructor(message: string, waitMs: number) {
    super(message);
    this.waitMs = waitMs;
  }
}

/** A list walk stopped because the server sent a page it had already sent (it did not advance). */
export class PaginationError extends TelnyxError {
  override name = "PaginationError";
}

/**
 * Input refused before anything was sent: an option, an argument, a path parameter or a body field.
 * `operation`, `field`, `value` and `expected` say what to fix.
 */
export class ValidationError extends TelnyxError {
  override name = "ValidationError";
  readonly operation: string;
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
  constructor(message: string, operation: string, field: string, value: unknown, expected: string) {
    super(message);
    this.operation = operation;
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}

// ---- Message text ----

const STATUS_TEXT: Record<number, string> = {
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** `"x"`, `null`, `an object`, `12 (a number)`: how a refused value is shown. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${String(value)} (a ${typeof value})`;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length < 2 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

const attempts = (n: number) => `${n} attempt${n === 1 ? "" : "s"}`;

/**
 * `fetch failed: connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)`: fetch's own message says nothing, so the
 * innermost cause's message (a proxy's refusal is three causes down) and the first error code are added.
 */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  let detail = "";
  let code = "";
  let e = (error as { cause?: unknown } | null)?.cause;
  for (let depth = 0; e !== null && typeof e === "object" && depth < 5; depth++) {
    const { message: m, code: c } = e as { message?: unknown; code?: unknown };
    if (typeof m === "string" && m !== "") detail = `: ${m}`;
    if (code === "" && typeof c === "string") code = ` (${c})`;
    e = (e as { cause?: unknown }).cause;
  }
  return `${message}${detail}${code}`;
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

function classFor(status: number): typeof APIError {
  switch (status) {
    case 400:
      return BadRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 422:
      return UnprocessableEntityError;
    case 429:
      return RateLimitError;
    default:
      return status >= 500 ? InternalServerError : APIError;
  }
}

function normalize(raw: unknown): TelnyxErrorObject | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const e = raw as Record<string, unknown>;
  const out = { ...e } as TelnyxErrorObject;
  out.code = e.code === undefined || e.code === null ? "" : String(e.code);
  out.title = typeof e.title === "string" ? e.title : "";
  if (typeof out.detail !== "string" && typeof e.description === "string") out.detail = e.description;
  return out;
}

function formatOne(e: TelnyxErrorObject): string {
  const head = [e.title, e.detail && e.detail !== e.title ? e.detail : ""].filter(Boolean).join(": ");
  const code = e.code ? ` (code ${e.code})` : "";
  const where = e.source?.pointer ?? e.source?.parameter;
  return `${head || "error"}${code}${where ? ` at ${where}` : ""}`;
}

/** A URL as it may be shown: no user name or password, which are never echoed. */
function displayURL(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "";
    u.password = "";
    return u.href;
  } catch {
    return url.includes("@") ? "(not shown: it contains '@', which may be a password)" : url;
  }
}

/**
 * Builds every error the client throws at run time, scrubbing the key out of whatever a server or a
 * caller put into it. One per client (it holds the client's Redactor).
 */
export class Errors {
  readonly #redact: Redactor;

  constructor(redactor: Redactor) {
    this.#redact = redactor;
  }

  /** Text for a log line, scrubbed like an error message. */
  logText(text: string): string {
    return this.#redact.text(text);
  }

  /** The error for a non-2xx, non-3xx response whose body has been read (`body`: parsed JSON, or text). */
  api(status: number, headers: Headers, body: unknown): APIError {
    const redact = this.#redact;
    const safeBody = redact.deep(body);
    const list = (safeBody as { errors?: unknown } | null)?.errors;
    const errors = Array.isArray(list)
      ? list.map(normalize).filter((e): e is TelnyxErrorObject => e !== undefined)
      : [];
    let summary: string;
    if (errors.length) summary = errors.map(formatOne).join("; ");
    else if (typeof safeBody === "string" && safeBody.trim()) summary = safeBody.trim().slice(0, 500);
    else if (safeBody && typeof safeBody === "object") summary = JSON.stringify(safeBody).slice(0, 500);
    else summary = STATUS_TEXT[status] ?? "no response body";
    const text = STATUS_TEXT[status];
    const message = redact.text(`${status}${text ? ` ${text}` : ""}: ${summary}`);
    const Cls = classFor(status);
    return new Cls(status, redact.headers(headers), errors, errors.length ? undefined : safeBody, message);
  }

  /** A 3xx: the Telnyx API does not redirect, so the client never follows one. */
  redirect(where: string, status: number, headers: Headers): APIError {
    const location = headers.get("location");
    const to = location === null ? "no Location header" : `Location ${displayURL(location)}`;
    const text = STATUS_TEXT[status];
    const message =
      status === 0
        ? `${where} was answered with a redirect whose Location the runtime hides; the client never follows redirects (the Telnyx API does not redirect). Check \`baseURL\`.`
        : `${status}${text ? ` ${text}` : ""}: ${where} was answered with a redirect (${to}); the client never follows redirects (the Telnyx API does not redirect), so nothing was sent there. Check \`baseURL\`.`;
    return new APIError(status, this.#redact.headers(headers), [], undefined, this.#redact.text(message));
  }

  /** No complete response within `ms` on the last of `count` attempts. */
  timeout(where: string, ms: number, count: number, duringBody: boolean): APIConnectionTimeoutError {
    const what = duringBody
      ? `sent its response headers but not the whole body within ${ms} ms`
      : `got no response within ${ms} ms`;
    return new APIConnectionTimeoutError(
      this.#redact.text(`${where} ${what} (${attempts(count)}). Raise \`timeout\` if the network is slow.`),
    );
  }

  connection(where: string, cause: unknown, count: number): APIConnectionError {
    return new APIConnectionError(
      this.#redact.text(
        `${where} failed: ${reason(cause)} (${attempts(count)}). Check the network, the proxy if any, and \`baseURL\`.`,
      ),
      { cause: this.#redact.cause(cause) },
    );
  }

  aborted(where: string, cause?: unknown): APIUserAbortError {
    return new APIUserAbortError(
      this.#redact.text(`${where} was aborted by the caller's signal`),
      cause === undefined ? undefined : { cause: this.#redact.cause(cause) },
    );
  }

  tooLarge(where: string, limit: number, contentLength: number | undefined): ResponseTooLargeError {
    const size = contentLength === undefined ? `more than ${limit} bytes` : `${contentLength} bytes`;
    return new ResponseTooLargeError(
      this.#redact.text(
        `${where} answered with a body of ${size}, over the limit of ${limit} (\`maxResponseBytes\`); it was not read. Raise \`maxResponseBytes\` if such a body is expected.`,
      ),
      limit,
      contentLength,
    );
  }

  notJson(where: string, cause: unknown): TelnyxError {
    return new TelnyxError(
      this.#redact.text(
        `${where} answered with a success status but a body that is not JSON (${reason(cause)}). Check \`baseURL\`: something other than the Telnyx API (a proxy or captive portal) may have answered.`,
      ),
      { cause: this.#redact.cause(cause) },
    );
  }

  /** A request body the fetch layer cannot send as it is (set so by middleware). */
  unsendableBody(where: string, what: string): TelnyxError {
    return new TelnyxError(
      `${where}: the request body is ${what}, which the client cannot send (or resend on retry). Middleware that replaces the body should set a JSON string, or binary data.`,
    );
  }

  // ---- Refusals before sending (ValidationError) ----

  /** A field or parameter whose value is of the wrong form. `place`: "body field", "parameter", "argument". */
  invalid(operation: string, place: string, field: string, value: unknown, expected: string): ValidationError {
    const shown = typeof value === "string" ? this.#redact.text(value) : value;
    return new ValidationError(
      `${operation} ${place} "${field}" is ${describe(shown)}, expected ${expected}`,
      operation,
      field,
      shown,
      expected,
    );
  }

  /** A path parameter that would not address one resource: missing, empty, "." or "..". */
  pathParameter(operation: string, name: string, value: unknown): ValidationError {
    const dots = value === "." || value === "..";
    const expected = dots
      ? `an id: "${value}" is a path segment that would address another resource, not an id`
      : `a non-empty ${name} string`;
    return this.invalid(operation, "parameter", name, value, expected);
  }

  /** A required body field that is absent (or null, or ""). */
  missingField(operation: string, field: string, required: readonly string[], value: unknown): ValidationError {
    const all = required.length > 1 ? `; ${operation} requires ${listed(required)}` : "";
    return new ValidationError(
      `${operation} body field "${field}" is missing: it is required${all}. Got ${describe(value)}.`,
      operation,
      field,
      value,
      "a value",
    );
  }

  /** A camelCase key whose snake_case form is a field of the body: the API would ignore it. */
  misnamedField(operation: string, given: string, field: string): ValidationError {
    return new ValidationError(
      `${operation} body field "${given}" is not a field of ${operation}: the API names it "${field}" (body fields are snake_case, as in the API) and would ignore "${given}". Rename it to "${field}".`,
      operation,
      given,
      undefined,
      `"${field}"`,
    );
  }

  /** A body that is not an object where the operation takes a JSON object. */
  body(operation: string, value: unknown, required: readonly string[]): ValidationError {
    const expected = required.length ? `an object with ${listed(required)}` : "an object";
    return this.invalid(operation, "argument", "body", value, expected);
  }
}

// ---- Refusals at construction, and of options (no Redactor needed: nothing secret is echoed) ----

/** An option of `new Telnyx()` or of one request that is of the wrong form. */
export function optionError(where: string, name: string, value: unknown, expected: string): ValidationError {
  return new ValidationError(
    `${where} option "${name}" is ${describe(value)}, expected ${expected}`,
    where,
    name,
    value,
    expected,
  );
}

/** `dialRate`: the next free slot is further away than `maxWaitMs`. */
export function dialRateError(waitMs: number, maxWaitMs: number, perSecond: number): DialRateError {
  return new DialRateError(
    `dial was not sent: its dialRate slot is ${Math.round(waitMs)} ms away, beyond dialRate.maxWaitMs ` +
      `(${maxWaitMs} ms), so more dials are queued than ${perSecond} a second lets through in that time. ` +
      "Dial fewer at once, or raise maxWaitMs (or perSecond, within your account's limit).",
    waitMs,
  );
}

/** `dialRate.store.reserve` answered something other than a wait in ms. */
export function dialRateStoreError(got: unknown): TelnyxError {
  return new TelnyxError(
    `dialRate.store.reserve(key, intervalMs) must resolve with the ms to wait (a number >= 0), got ${describe(got)}`,
  );
}

/** An option name that is not one: plain-JavaScript callers get the name they meant. */
export function unknownOption(where: string, name: string, known: readonly string[]): ValidationError {
  const squash = (s: string) => s.replace(/[_-]/g, "").toLowerCase();
  const meant = known.find((k) => squash(k) === squash(name));
  const hint = meant ? `did you mean "${meant}"?` : `the options are ${listed(known)}`;
  return new ValidationError(
    `${where} has no option "${name}": ${hint}`,
    where,
    name,
    undefined,
    meant ? `"${meant}"` : "a known option",
  );
}

/** No usable key. `problem` says what is wrong with it, never what it is. */
export function apiKeyError(source: string, problem: string | undefined): ValidationError {
  const message =
    problem === undefined
      ? `No Telnyx API key: pass it as new Telnyx({ apiKey }) or set the ${source} environment variable.`
      : `The Telnyx API key (from ${source}) ${problem}.`;
  return new ValidationError(message, "new Telnyx()", "apiKey", "[redacted]", "a Telnyx API key");
}

/** A base URL refused at construction; `url` is shown without credentials, query or fragment. */
export function baseURLError(source: string, shown: string, problem: string): ValidationError {
  return new ValidationError(
    `${source} ${shown} ${problem}`,
    "new Telnyx()",
    source === "TELNYX_BASE_URL" ? "TELNYX_BASE_URL" : "baseURL",
    shown,
    `an absolute http(s) URL like https://api.telnyx.com/v2, with no credentials, query or fragment`,
  );
}

/** A header refused before sending; its value is never shown (it may be a secret). */
export function headerError(where: string, name: string, problem: string): ValidationError {
  return new ValidationError(
    `${where} header "${name}" ${problem}`,
    where,
    `headers.${name}`,
    "[not shown]",
    "a header value without line breaks or NUL, in Latin-1",
  );
}

/** Middleware that returned something openapi-fetch's contract does not allow. */
export function middlewareError(hook: string, got: unknown, allowed: string): TelnyxError {
  const shown = got === null ? "null" : typeof got === "object" ? (got.constructor?.name ?? "an object") : typeof got;
  return new TelnyxError(`Middleware ${hook} returned ${shown}; it may return ${allowed}.`);
}

/** An option `telnyx.raw` does not take, with what to do instead. */
export function rawOptionError(name: string, instead: string): TelnyxError {
  return new TelnyxError(`telnyx.raw does not take the "${name}" option: ${instead}`);
}

/** The server pointed to a cursor or page number already requested in this walk. */
export function paginationLoopError(where: string, param: string, value: string, pages: number): PaginationError {
  const shown = value.length > 60 ? `${value.slice(0, 60)}...` : value;
  return new PaginationError(
    `${where}: after ${pages} page${pages === 1 ? "" : "s"} the server pointed to ${param}=${shown} again, a page already requested in this walk; the walk stops here rather than loop. The server is not advancing.`,
  );
}

/** A numbered page answered as another page than the one asked for. */
export function paginationStuckError(where: string, asked: number, answered: unknown): PaginationError {
  return new PaginationError(
    `${where}: asked for page[number]=${asked} and got page_number ${describe(answered)}; the walk stops here rather than fetch the same pages again. The server is not advancing.`,
  );
}

// ---- Abort reasons: handed to an attempt's AbortController, never thrown to the caller ----

/** Aborts attempts that lost the race, or are still open when their call ends; one shared object (no stack per call). */
export const ATTEMPT_ENDED: Error = new Error("the call this attempt belonged to has ended");

/** Aborts an attempt whose deadline passed. */
export function deadlinePassed(ms: number): Error {
  return new Error(`no complete response within ${ms} ms`);
}

/** The stand-in for a `cause` whose text held the key: same name, scrubbed message and stack. */
export function scrubbedCause(name: string, message: string, stack: string): Error {
  const safe = new Error(message);
  safe.name = name;
  safe.stack = stack;
  return safe;
}

/** `getNextPage()` on the last page. */
export function lastPageError(): RangeError {
  return new RangeError("This is the last page: check hasNextPage() before getNextPage().");
}
