// The one path every request takes, resource methods and `telnyx.raw` alike: make the call's plan (which
// checks it), hand openapi-fetch the params and the plan's body with the plan-bound fetch (openapi-fetch's
// per-call `fetch` option), let openapi-fetch build the request, run middleware and parse the body, then
// end the call (closing every attempt) and turn a non-2xx answer into its error.
import type { ActionPath } from "@telnyx-voice/types";
import { type APIPromise, apiPromise } from "./api-promise.js";
import { type Errors, TelnyxError } from "./errors.js";
import type { FetchLayer } from "./fetch-layer.js";
import { adapt, checkMiddleware, type EngineMiddleware, type Middleware } from "./middleware.js";
import { checkRawHeaders, type RequestOptions, SETTINGS_KEYS, type Settings } from "./options.js";
import { RequestPlan } from "./plan.js";
import {
  type Args,
  checkRawInit,
  type OperationAt,
  RAW_PASSED,
  type RawClient,
  type RawMethod,
  type RawResult,
} from "./raw.js";
import type { LightRequest } from "./request.js";
import { telemetry } from "./telemetry.js";
import type { HttpVerb, PartsOf, PathsWith, ResponseOf } from "./transport.js";

/**
 * openapi-fetch as the request path drives it. Its own types say middleware and fetch receive a `Request`;
 * created with `Request: LightRequest` (see Telnyx) they receive a LightRequest, and the request path calls
 * it with a string path (typing by path is done above it: Transport for resources, RawClient for raw).
 */
export interface Engine {
  request(
    method: "get" | "post" | "put" | "patch" | "delete",
    path: string,
    init: EngineInit,
  ): Promise<{ data?: unknown; error?: unknown; response: Response }>;
  use(...middleware: EngineMiddleware[]): void;
  eject(...middleware: EngineMiddleware[]): void;
}

interface Parts {
  path?: Record<string, unknown> | undefined;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
}

/** What the engine is given per call. */
export interface EngineInit {
  params: { path?: Record<string, unknown> | undefined; query?: Record<string, unknown> | undefined };
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  fetch: (request: LightRequest) => Promise<Response>;
  middleware?: EngineMiddleware[];
  [key: string]: unknown;
}

const LOWER: Record<HttpVerb, "get" | "post" | "put" | "patch" | "delete"> = {
  GET: "get",
  POST: "post",
  PUT: "put",
  PATCH: "patch",
  DELETE: "delete",
};

export class RequestPath {
  readonly #engine: Engine;
  readonly #layer: FetchLayer;
  readonly #errors: Errors;
  readonly #context: { readonly settings: Settings; readonly errors: Errors };
  readonly #adapted = new WeakMap<Middleware, EngineMiddleware>();
  /** For spans: the base URL, whose path (`/v2`) goes before a path's template. */
  readonly #baseURL: string;

  constructor(engine: Engine, layer: FetchLayer, settings: Settings, errors: Errors, baseURL: string) {
    this.#engine = engine;
    this.#layer = layer;
    this.#errors = errors;
    this.#context = { settings, errors };
    this.#baseURL = baseURL;
  }

  /** For resource methods: resolves to the body of the answer (`.withResponse()` adds its metadata). */
  send<V extends HttpVerb, P extends PathsWith<Lowercase<V>>>(
    method: V,
    path: P,
    parts: PartsOf<P, Lowercase<V>>,
    options?: RequestOptions,
  ): APIPromise<ResponseOf<P, Lowercase<V>>> {
    const { path: pathParams, query, body } = parts as Parts;
    // The one assertion of the request path: a 2xx JSON body is what the spec declares for this path.
    return apiPromise(
      this.#call(method, path, { path: pathParams, query }, body, options, undefined) as Promise<{
        data: ResponseOf<P, Lowercase<V>>;
        response: Response;
      }>,
    );
  }

  /** For `calls.actions.*`: the same path; each action's own types come from CallActions. */
  sendAction(
    method: "POST" | "PUT",
    path: ActionPath,
    callControlId: string,
    body: unknown,
    options: RequestOptions | undefined,
  ): APIPromise<unknown> {
    return apiPromise(
      this.#call(method, path, { path: { call_control_id: callControlId } }, body, options, undefined) as Promise<{
        data: unknown;
        response: Response;
      }>,
    );
  }

  /** `telnyx.raw`: the same path, resolving to `{ data, response }`. */
  raw(): RawClient {
    const method =
      <M extends Lowercase<HttpVerb>>(verb: HttpVerb): RawMethod<M> =>
      <P extends PathsWith<M>>(path: P, ...[init]: Args<OperationAt<P, M>>) =>
        this.#raw(verb, path, init) as Promise<RawResult<OperationAt<P, M>>>;
    return {
      GET: method<"get">("GET"),
      POST: method<"post">("POST"),
      PUT: method<"put">("PUT"),
      PATCH: method<"patch">("PATCH"),
      DELETE: method<"delete">("DELETE"),
      use: (...middleware) => {
        for (const m of middleware) checkMiddleware(m);
        for (const m of middleware) this.#engine.use(this.#adapt(m));
      },
      eject: (...middleware) => {
        for (const m of middleware) {
          const adapted = this.#adapted.get(m);
          if (adapted) this.#engine.eject(adapted);
        }
      },
    };
  }

  #raw(method: HttpVerb, path: string, init: object | undefined): Promise<unknown> {
    const given = (init ?? {}) as Record<string, unknown>;
    try {
      checkRawInit(given, SETTINGS_KEYS);
      checkRawHeaders(`${method} ${path}`, given.headers);
    } catch (error) {
      return Promise.reject(error);
    }
    const passed: Record<string, unknown> = {};
    const options: Record<string, unknown> = {};
    let hasOptions = false;
    for (const key in given) {
      if (RAW_PASSED.has(key)) passed[key] = given[key];
      // Checked like a resource method's options (headers stay openapi-fetch's, which allows more forms).
      if ((SETTINGS_KEYS as readonly string[]).includes(key) || key === "signal") {
        options[key] = given[key];
        hasOptions = true;
      }
    }
    const params = (given.params ?? {}) as EngineInit["params"];
    const checked = hasOptions ? (options as RequestOptions) : undefined; // checked by the plan, as a resource method's are
    return this.#call(method, path, params, given.body, checked, { passed, middleware: given.middleware });
  }

  #adapt(m: Middleware): EngineMiddleware {
    let adapted = this.#adapted.get(m);
    if (!adapted) {
      adapted = adapt(m);
      this.#adapted.set(m, adapted);
    }
    return adapted;
  }

  #call(
    method: HttpVerb,
    path: string,
    params: EngineInit["params"],
    body: unknown,
    options: RequestOptions | undefined,
    raw: { passed: Record<string, unknown>; middleware: unknown } | undefined,
  ): Promise<{ data: unknown; response: Response }> {
    let plan: RequestPlan;
    let init: EngineInit;
    try {
      plan = new RequestPlan(this.#context, method, path, params.path, body, options);
      const layer = this.#layer;
      // openapi-fetch's documented per-call `fetch`: how this call's plan reaches the fetch layer. `method` is
      // there only for its key: openapi-fetch copies the init into a new object and sets `method` on it, and a
      // copy that gains a key it lacked takes V8's slow (dictionary) shape, which then made every read of it in
      // openapi-fetch slow (3.5 us a call, measured).
      init = { method, params, fetch: (request) => layer.send(request, plan) };
      if (raw) {
        Object.assign(init, raw.passed);
        if (raw.middleware !== undefined) {
          if (!Array.isArray(raw.middleware)) {
            throw this.#errors.invalid(
              plan.operation,
              "option",
              "middleware",
              raw.middleware,
              "an array of middleware",
            );
          }
          for (const m of raw.middleware) checkMiddleware(m);
          init.middleware = raw.middleware.map((m: Middleware) => this.#adapt(m));
        }
      } else if (options) {
        // Options ride along only when given: the plain two-key init keeps openapi-fetch's spreads fast.
        if (options.headers) init.headers = options.headers;
        if (options.signal) init.signal = options.signal;
      }
      if (plan.body !== undefined) init.body = plan.body;
      // Spans and metrics start once the call is checked: a call refused before sending records nothing.
      plan.telemetry = telemetry()?.start(plan, this.#baseURL, params.path);
    } catch (error) {
      return Promise.reject(error);
    }
    const answer = this.#engine.request(LOWER[method], path, init).then(
      (result) => {
        plan.attempts.end();
        const { response } = result;
        if (!response.ok) throw this.#errors.api(response.status, response.headers, result.error);
        return { data: result.data, response };
      },
      (error: unknown) => {
        const { attempts } = plan;
        const winner = attempts.winner;
        attempts.end();
        if (error instanceof TelnyxError) throw error;
        const where = `${method} ${attempts.url ?? path}`;
        // Failures while openapi-fetch reads the body, which the fetch layer no longer sees.
        if (winner?.timedOut) throw this.#errors.timeout(where, plan.settings.timeout, winner.number, true);
        if (plan.signal?.aborted) throw this.#errors.aborted(where, error);
        if (winner && error instanceof SyntaxError) throw this.#errors.notJson(where, error);
        // The connection failed while openapi-fetch read the answer's body (a middleware's own error, thrown
        // before the body was touched, passes through as it is).
        if (winner?.response?.bodyUsed) throw this.#errors.connection(where, error, winner.number);
        throw error;
      },
    );
    return plan.telemetry === undefined ? answer : plan.telemetry.follow(answer);
  }
}
