// How resource methods reach the request path, typed by path: the method and path a resource sends pick
// its parameters, body and response out of the spec's `paths`, so a path that is not in the slice (or a
// method it does not have) does not compile, and neither does a resource declaring another response type.
import type { MethodsOf, OperationOf, paths, QueryOf, RequestBodyOf, ResponseBodyOf } from "@telnyx-voice/types";
import type { APIPromise } from "./api-promise.js";
import type { RequestOptions } from "./options.js";

export type HttpVerb = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The paths of the slice that have method M (`"get"`, `"post"`, ...). */
export type PathsWith<M extends Lowercase<HttpVerb>> = {
  [P in keyof paths]: undefined extends paths[P][M] ? never : P;
}[keyof paths];

type PathParamsOf<P extends keyof paths, M extends MethodsOf<P>> =
  OperationOf<P, M> extends {
    parameters: { path?: infer A };
  }
    ? Exclude<A, undefined>
    : never;

/** The parts of one request to `method path`. */
export type PartsOf<P extends keyof paths, M extends Lowercase<HttpVerb>> =
  M extends MethodsOf<P>
    ? {
        path?: PathParamsOf<P, M>;
        query?: QueryOf<P, M>;
        body?: RequestBodyOf<P, M>;
      }
    : never;

/** The body of a 2xx answer to `method path`, as the spec declares it. */
export type ResponseOf<P extends keyof paths, M extends Lowercase<HttpVerb>> =
  M extends MethodsOf<P> ? ResponseBodyOf<P, M> : never;

export type Transport = <V extends HttpVerb, P extends PathsWith<Lowercase<V>>>(
  method: V,
  path: P,
  parts: PartsOf<P, Lowercase<V>>,
  options?: RequestOptions,
) => APIPromise<ResponseOf<P, Lowercase<V>>>;
