// Errors in the Telnyx shape: `{ errors: [{ code, title, detail, source?, meta? }] }`. Every code and title the
// simulator answers with is in TELNYX_ERRORS, and only there: they are the ones the spec's example responses
// and Telnyx's error pages use, so clients that branch on `code` behave as they would against Telnyx.
import type { ApiErrorObject } from "@telnyx-voice/types";

/** The spec's error object; its `meta` is typed as an empty record there, but Telnyx sends `{ url }`. */
export type TelnyxErrorObject = Omit<ApiErrorObject, "meta"> & { meta?: Record<string, unknown> };

export const TELNYX_ERRORS = {
  authenticationFailed: { status: 401, code: "10009", title: "Authentication failed" },
  missingParameter: { status: 422, code: "10004", title: "Missing required parameter" },
  notFound: { status: 404, code: "10005", title: "Resource not found" },
  methodNotAllowed: { status: 405, code: "10006", title: "Method not allowed" },
  internal: { status: 500, code: "10007", title: "Internal server error" },
  unavailable: { status: 503, code: "10007", title: "Service unavailable" },
  tooManyRequests: { status: 429, code: "10011", title: "Too many requests" },
  // Telnyx's dials-per-second limit answers 429 with code 90103 (its DPS docs); the title is ours.
  dialRateLimited: { status: 429, code: "90103", title: "Dials per second limit exceeded" },
  invalidParameter: { status: 422, code: "10015", title: "Invalid parameter" },
  malformedBody: { status: 400, code: "10028", title: "Character encoding error" },
  invalidEnum: { status: 422, code: "10032", title: "Invalid enumerated value" },
  outOfRange: { status: 422, code: "10033", title: "Value outside of range" },
  callEnded: { status: 422, code: "90018", title: "Call has already ended" },
  cannotExecute: { status: 422, code: "90033", title: "Unable to execute command" },
  callNotAnswered: { status: 422, code: "90034", title: "Call not answered yet" },
} as const;

export type TelnyxErrorKind = keyof typeof TELNYX_ERRORS;

/** One error object of the table's kind. */
export function errorObject(
  kind: TelnyxErrorKind,
  detail: string,
  source?: TelnyxErrorObject["source"],
): TelnyxErrorObject {
  const { code, title } = TELNYX_ERRORS[kind];
  return source ? { code, title, detail, source } : { code, title, detail };
}

/** A value as an error message quotes it: at most 80 characters, so a huge field does not make a huge 422. */
export function quote(value: unknown): string {
  const text = String(value);
  return `'${text.length > 80 ? `${text.slice(0, 80)}...' (${text.length} characters)` : `${text}'`}`;
}

/** Thrown by handlers; the server turns it into a response with `status` and `{ errors }`. */
export class SimulatorHttpError extends Error {
  readonly status: number;
  readonly errors: TelnyxErrorObject[];
  readonly headers: Record<string, string>;

  constructor(status: number, errors: TelnyxErrorObject[], headers: Record<string, string> = {}) {
    super(errors.map((e) => `${e.title}: ${e.detail ?? ""}`).join("; "));
    this.name = "SimulatorHttpError";
    this.status = status;
    this.errors = errors;
    this.headers = headers;
  }
}

/** A response with one error of the table's kind, at the status the table gives it. */
export function telnyxError(
  kind: TelnyxErrorKind,
  detail: string,
  source?: TelnyxErrorObject["source"],
  headers?: Record<string, string>,
): SimulatorHttpError {
  return new SimulatorHttpError(TELNYX_ERRORS[kind].status, [errorObject(kind, detail, source)], headers);
}

export const unauthorized = () => {
  const error = telnyxError(
    "authenticationFailed",
    "The required authentication headers were either invalid or not included in the request.",
  );
  error.errors[0]!.meta = { url: "https://developers.telnyx.com/docs/overview/errors/10009" };
  return error;
};

export const routeNotFound = (method: string, path: string) =>
  telnyxError("notFound", `No route matches ${method} ${path}.`);

export const resourceNotFound = (what: string, id: string) =>
  telnyxError("notFound", `${what} ${quote(id)} was not found.`);

export const callEnded = () => telnyxError("callEnded", "This call is no longer active and can't receive commands.");

export const callNotAnswered = () =>
  telnyxError("callNotAnswered", "This call can't receive this command because it has not been answered yet.");

export const cannotExecute = (detail: string) => telnyxError("cannotExecute", detail);

export const invalidParameter = (detail: string, source: TelnyxErrorObject["source"]) =>
  telnyxError("invalidParameter", detail, source);

export const outOfRange = (detail: string, source: TelnyxErrorObject["source"]) =>
  telnyxError("outOfRange", detail, source);

export const malformedBody = (detail: string) => telnyxError("malformedBody", detail);

/** 500 or 503, as an injected fault or a simulator bug; `detail` says which. */
export const serverError = (status: 500 | 503, detail: string) =>
  telnyxError(status === 500 ? "internal" : "unavailable", detail);

/**
 * 429 with the headers Telnyx sends: `retry-after` and `x-ratelimit-limit` / `-remaining` / `-reset` (seconds
 * until the window resets), which clients read to pace themselves.
 */
export const rateLimited = (retryAfterSeconds: number, limit: number) =>
  telnyxError("tooManyRequests", "You have exceeded the maximum number of allowed requests.", undefined, {
    "retry-after": String(retryAfterSeconds),
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": String(retryAfterSeconds),
  });
