// Middleware for `telnyx.raw.use()` (and so for every resource method): openapi-fetch's contract, typed as
// it is in this client. `request` is the client's LightRequest, not a `Request`; onRequest may also return
// a standard `Request` (as openapi-fetch documents), which is converted, or a `Response`, which is used
// without sending. Anything else is refused with a TelnyxError that says what is allowed.
import { middlewareError } from "./errors.js";
import { LightRequest } from "./request.js";

export interface MiddlewareParams {
  /** The request about to be sent; see LightRequest for what it holds. */
  request: LightRequest;
  /** The path template of the operation, with its `{braces}`: `/calls/{call_control_id}/actions/speak`. */
  readonly schemaPath: string;
  /** The parameters the call was given. */
  readonly params: {
    readonly query?: Record<string, unknown>;
    readonly header?: Record<string, unknown>;
    readonly path?: Record<string, unknown>;
    readonly cookie?: Record<string, unknown>;
  };
  /** Unique id of this call, the same in every hook. */
  readonly id: string;
}

/** What a hook may return: openapi-fetch's contract, where nothing (`void`) means "unchanged". */
// biome-ignore lint/suspicious/noConfusingVoidType: hooks that return nothing (sync or async) are the common case.
type Returns<T> = T | undefined | void | Promise<T | undefined | void>;

export interface Middleware {
  /**
   * Before sending (once per call, not per retry): change `request` in place, or return a replacement
   * (`LightRequest` or `Request`), or a `Response` to answer without sending.
   */
  onRequest?: ((params: MiddlewareParams) => Returns<LightRequest | Request | Response>) | undefined;
  /**
   * After the last attempt's response (success or error status; redirects never get here), before its body
   * is read: return a `Response` to replace it.
   */
  onResponse?: ((params: MiddlewareParams & { response: Response }) => Returns<Response>) | undefined;
  /**
   * When the request fails without a response to hand back (connection, timeout, abort, redirect, body too
   * large): return a `Response` to answer with, or an `Error` to throw instead.
   */
  onError?: ((params: MiddlewareParams & { error: unknown }) => Returns<Response | Error>) | undefined;
}

/** What openapi-fetch is given: the same hooks, each checking what the user's returned. */
export interface EngineMiddleware {
  onRequest?: (params: MiddlewareParams) => Promise<LightRequest | Response | undefined>;
  onResponse?: (params: MiddlewareParams & { response: Response }) => Promise<Response | undefined>;
  onError?: (params: MiddlewareParams & { error: unknown }) => Promise<Response | Error | undefined>;
}

/** Throws unless `value` is middleware: an object with at least one of the three hooks, each a function. */
export function checkMiddleware(value: unknown): asserts value is Middleware {
  const m = value as Record<string, unknown> | null;
  const hooks = ["onRequest", "onResponse", "onError"] as const;
  const ok =
    m !== null &&
    typeof m === "object" &&
    hooks.some((h) => typeof m[h] === "function") &&
    hooks.every((h) => m[h] === undefined || typeof m[h] === "function");
  if (!ok)
    throw middlewareError("use()", value, "be given an object with onRequest, onResponse and/or onError functions");
}

/** The engine-side middleware for `m`, converting and checking what its hooks return. */
export function adapt(m: Middleware): EngineMiddleware {
  const out: EngineMiddleware = {};
  const { onRequest, onResponse, onError } = m;
  if (onRequest) {
    out.onRequest = async (params) => {
      const result = await onRequest(params);
      if (result === undefined) return undefined;
      if (result instanceof LightRequest || result instanceof Response) return result;
      if (typeof Request !== "undefined" && result instanceof Request) return LightRequest.from(result);
      throw middlewareError("onRequest", result, "nothing, a LightRequest or Request to send instead, or a Response");
    };
  }
  if (onResponse) {
    out.onResponse = async (params) => {
      const result = await onResponse(params);
      if (result === undefined) return undefined;
      if (result instanceof Response) return result;
      throw middlewareError("onResponse", result, "nothing, or a Response to use instead");
    };
  }
  if (onError) {
    out.onError = async (params) => {
      const result = await onError(params);
      if (result === undefined) return undefined;
      if (result instanceof Response || result instanceof Error) return result;
      throw middlewareError("onError", result, "nothing, a Response to answer with, or an Error to throw instead");
    };
  }
  return out;
}
