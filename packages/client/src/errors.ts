// Every failure the client reports is one of these, thrown (never returned). Messages are built from
// the API's error objects only: request headers (and so the API key) are never copied into an error.
import type { ApiErrorObject } from "@telnyx-voice/types";

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
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No response within `timeout` (or `commandTimeout`) on the last attempt. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";
}

/** The caller's `signal` aborted the request. */
export class APIUserAbortError extends TelnyxError {
  override name = "APIUserAbortError";
}

/** Input refused before anything was sent. `field`, `value` and `expected` say what to fix. */
export class ValidationError extends TelnyxError {
  override name = "ValidationError";
  readonly operation: string;
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;
  /** `place` is where the field is: "body field" or "parameter". */
  constructor(operation: string, field: string, value: unknown, expected: string, place = "body field") {
    super(`${operation} ${place} "${field}" is ${describe(value)}, expected ${expected}`);
    this.operation = operation;
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${String(value)} (a ${typeof value})`;
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

const STATUS_TEXT: Record<number, string> = {
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

/**
 * The error for a non-2xx response. `secret` is scrubbed from the message and the kept body so that
 * a server or proxy echoing the Authorization header back cannot leak the key through an error.
 */
export function apiErrorFor(status: number, headers: Headers, body: unknown, secret: string): APIError {
  const list = (body as { errors?: unknown } | null)?.errors;
  const errors = Array.isArray(list) ? list.map(normalize).filter((e): e is TelnyxErrorObject => e !== undefined) : [];
  let summary: string;
  if (errors.length) summary = errors.map(formatOne).join("; ");
  // Scrubbed before it is cut short: a cut could leave a fragment of the key that no longer matches it.
  else if (typeof body === "string" && body.trim()) summary = scrub(body.trim(), secret).slice(0, 500);
  else if (body && typeof body === "object") summary = scrub(JSON.stringify(body), secret).slice(0, 500);
  else summary = STATUS_TEXT[status] ?? "no response body";
  const text = STATUS_TEXT[status];
  const message = scrub(`${status}${text ? ` ${text}` : ""}: ${summary}`, secret);
  const Cls = classFor(status);
  const safeBody = typeof body === "string" ? scrub(body, secret) : body;
  const safeErrors =
    secret && JSON.stringify(errors).includes(secret)
      ? (JSON.parse(scrub(JSON.stringify(errors), secret)) as TelnyxErrorObject[])
      : errors;
  return new Cls(
    status,
    scrubHeaders(headers, secret),
    safeErrors,
    errors.length ? undefined : scrubDeep(safeBody, secret),
    message,
  );
}

/** The response headers, with any value that contains the key replaced (a proxy may echo Authorization). */
function scrubHeaders(headers: Headers, secret: string): Headers {
  let leaked = false;
  headers.forEach((value) => {
    if (secret && value.includes(secret)) leaked = true;
  });
  if (!leaked) return headers;
  const safe = new Headers();
  headers.forEach((value, name) => {
    safe.append(name, scrub(value, secret));
  });
  return safe;
}

export function scrub(text: string, secret: string): string {
  return secret && text.includes(secret) ? text.split(secret).join("[redacted]") : text;
}

function scrubDeep(value: unknown, secret: string): unknown {
  if (!secret || value === null || typeof value !== "object") return value;
  const text = JSON.stringify(value);
  return text.includes(secret) ? JSON.parse(scrub(text, secret)) : value;
}
