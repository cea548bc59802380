// Errors in the Telnyx shape: `{ errors: [{ code, title, detail, source?, meta? }] }`. Codes and titles are the
// ones the spec's example responses use, so clients that branch on `code` behave as they would against Telnyx.
import type { ApiErrorObject } from "@telnyx-voice/types";

/** The spec's error object; its `meta` is typed as an empty record there, but Telnyx sends `{ url }`. */
export type TelnyxErrorObject = Omit<ApiErrorObject, "meta"> & { meta?: Record<string, unknown> };

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

export const unauthorized = () =>
  new SimulatorHttpError(401, [
    {
      code: "10009",
      title: "Authentication failed",
      detail: "The required authentication headers were either invalid or not included in the request.",
      meta: { url: "https://developers.telnyx.com/docs/overview/errors/10009" },
    },
  ]);

export const routeNotFound = (method: string, path: string) =>
  new SimulatorHttpError(404, [
    { code: "10005", title: "Resource not found", detail: `No route matches ${method} ${path}.` },
  ]);

export const resourceNotFound = (what: string, id: string) =>
  new SimulatorHttpError(404, [
    { code: "10005", title: "Resource not found", detail: `${what} '${id}' was not found.` },
  ]);

export const callEnded = () =>
  new SimulatorHttpError(422, [
    {
      code: "90018",
      title: "Call has already ended",
      detail: "This call is no longer active and can't receive commands.",
    },
  ]);

export const callNotAnswered = () =>
  new SimulatorHttpError(422, [
    {
      code: "90034",
      title: "Call not answered yet",
      detail: "This call can't receive this command because it has not been answered yet.",
    },
  ]);

export const cannotExecute = (detail: string) =>
  new SimulatorHttpError(422, [{ code: "90033", title: "Unable to execute command", detail }]);

export const invalidParameter = (detail: string, source: TelnyxErrorObject["source"]) =>
  new SimulatorHttpError(422, [{ code: "10015", title: "Invalid parameter", detail, source }]);

export const malformedJson = (detail: string) =>
  new SimulatorHttpError(400, [{ code: "10028", title: "Character encoding error", detail }]);

export const internalError = (status: 500 | 503) =>
  new SimulatorHttpError(status, [
    status === 500
      ? { code: "10007", title: "Internal server error", detail: "Internal server error" }
      : { code: "10007", title: "Service unavailable", detail: "Service unavailable" },
  ]);

export const rateLimited = (retryAfterSeconds: number) =>
  new SimulatorHttpError(
    429,
    [{ code: "10011", title: "Too many requests", detail: `Rate limit exceeded; retry after ${retryAfterSeconds}s.` }],
    { "retry-after": String(retryAfterSeconds) },
  );
