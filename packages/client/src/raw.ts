// `telnyx.raw`: openapi-fetch's typed methods over every path of the slice, going through the same request
// path as the resource methods (plan, middleware, fetch layer, errors). Typed as it behaves: failures are
// thrown, so a call resolves to `{ data, response }` only; middleware gets the client's LightRequest; the
// init takes openapi-fetch's `params`, `body`, `headers`, `signal`, serializers and `middleware`, plus this
// client's request options. Other openapi-fetch options are refused (see RAW_REFUSED) rather than ignored.
import type { paths } from "@telnyx-voice/types";
import type { FetchOptions, FetchResponse } from "openapi-fetch";
import { rawOptionError } from "./errors.js";
import type { Middleware } from "./middleware.js";
import type { RequestOptions } from "./options.js";
import type { HttpVerb, PathsWith } from "./transport.js";

type Lower = Lowercase<HttpVerb>;
type RequiredKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? never : K }[keyof T];
export type OperationAt<P extends keyof paths, M extends Lower> = M extends keyof paths[P]
  ? NonNullable<paths[P][M]>
  : never;

/** The init of one raw call to `path`: its typed params and body, and the options the client takes per request. */
export type RawInit<Op> = Pick<FetchOptions<Op>, "params" | "body" | "querySerializer" | "bodySerializer"> &
  RequestOptions & {
    /** Middleware for this call only, after the client's (see `telnyx.raw.use`). */
    middleware?: Middleware[] | undefined;
  };

export type Args<Op> = RequiredKeys<RawInit<Op>> extends never ? [init?: RawInit<Op>] : [init: RawInit<Op>];

/** A raw call's answer: the parsed 2xx body (non-2xx answers are thrown as APIError) and the Response. */
export interface RawResult<Op> {
  data: Extract<
    FetchResponse<Op & Record<string | number, unknown>, unknown, `${string}/${string}`>,
    { data: unknown }
  >["data"];
  response: Response;
}

export type RawMethod<M extends Lower> = <P extends PathsWith<M>>(
  path: P,
  ...init: Args<OperationAt<P, M>>
) => Promise<RawResult<OperationAt<P, M>>>;

export interface RawClient {
  GET: RawMethod<"get">;
  POST: RawMethod<"post">;
  PUT: RawMethod<"put">;
  PATCH: RawMethod<"patch">;
  DELETE: RawMethod<"delete">;
  /** Adds middleware for every call, resource methods included; runs after the client's own checks. */
  use(...middleware: Middleware[]): void;
  /** Removes middleware added with `use`. */
  eject(...middleware: Middleware[]): void;
}

/** Init keys passed on to openapi-fetch as they are. */
export const RAW_PASSED = new Set(["params", "body", "headers", "signal", "querySerializer", "bodySerializer"]);

/** openapi-fetch options raw refuses, and what to do instead. */
const RAW_REFUSED: Record<string, string> = {
  fetch: "pass `fetch` to new Telnyx({ fetch }); every call goes through the client's fetch layer.",
  baseUrl: "create another Telnyx client with that `baseURL` (it gets the same checks).",
  Request: "the client builds its own request object (LightRequest).",
  pathSerializer: "path parameters are always encoded as URL path segments.",
  parseAs: "bodies are read as JSON within `timeout` and `maxResponseBytes`.",
  redirect: "redirects are never followed (the Telnyx API does not redirect).",
};

/** Throws for any init key raw does not take (so nothing given is silently dropped). */
export function checkRawInit(init: Record<string, unknown>, settingsKeys: readonly string[]): void {
  for (const key in init) {
    if (RAW_PASSED.has(key) || key === "middleware" || settingsKeys.includes(key)) continue;
    throw rawOptionError(
      key,
      RAW_REFUSED[key] ??
        `it takes params, body, headers, signal, querySerializer, bodySerializer, middleware and the request options (${settingsKeys.join(", ")}).`,
    );
  }
}
