// How resource methods reach openapi-fetch: one function over `telnyx.raw`, so the resources and raw
// share every step (middleware, fetch layer, errors).
import type { RequestOptions } from "./options.js";

export type HttpVerb = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestParts {
  path?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}

export type Transport = <T>(
  method: HttpVerb,
  path: string,
  parts: RequestParts,
  options?: RequestOptions,
) => Promise<T>;
