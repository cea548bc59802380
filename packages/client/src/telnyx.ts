// The client: options checked once, one openapi-fetch instance driven by the request path (plan ->
// openapi-fetch -> middleware -> fetch layer), and the resources and `raw` on top of that one path. It sends
// with fetch on every runtime: `globalThis.fetch` looked up per request (so undici's `setGlobalDispatcher`,
// a proxy agent or a MockAgent, applies on Node), or the `fetch` option.
import type { paths } from "@telnyx-voice/types";
import openapiFetch from "openapi-fetch";
import { BASE_URL_ENV, DEFAULT_BASE_URL, resolveBaseURL } from "./base-url.js";
import type { Sender } from "./attempts.js";
import { DialPacer } from "./dial-rate.js";
import { apiKeyError, Errors } from "./errors.js";
import { FetchLayer } from "./fetch-layer.js";
import { type ClientOptions, resolveClientOptions } from "./options.js";
import { serializePath } from "./path.js";
import { serializeQuery } from "./query.js";
import type { RawClient } from "./raw.js";
import { LightRequest } from "./request.js";
import { type Engine, RequestPath } from "./request-path.js";
import { CallControlApplications } from "./resources/call-control-applications.js";
import { Calls } from "./resources/calls.js";
import { Connections } from "./resources/connections.js";
import { apiKeyProblem, Redactor } from "./secrets.js";

export { DEFAULT_BASE_URL };

// In the CommonJS build the default import is openapi-fetch's `exports` object (Node's interop), whose
// `default` is createClient; in ESM it is createClient itself.
const createClient: typeof openapiFetch =
  typeof openapiFetch === "function"
    ? openapiFetch
    : (openapiFetch as unknown as { default: typeof openapiFetch }).default;

const API_KEY_ENV = "TELNYX_API_KEY";

/**
 * The Telnyx Voice API client. Sends with `globalThis.fetch` (on Node, through undici's global dispatcher:
 * `setGlobalDispatcher(new ProxyAgent(...))` sends it through a proxy), or with the `fetch` option.
 */
export class Telnyx {
  /** Call control: `dial`, `retrieveStatus`, and every call command under `actions`. */
  readonly calls: Calls;
  readonly callControlApplications: CallControlApplications;
  readonly connections: Connections;
  /**
   * The typed openapi-fetch methods over every path of the slice, with the same checks, `command_id`,
   * retries, middleware and thrown errors as the methods above:
   * `telnyx.raw.GET("/calls/{call_control_id}", { params: { path: { call_control_id } } })`.
   */
  readonly raw: RawClient;
  /** The base URL in use (from the option, else TELNYX_BASE_URL, else the API's), without a trailing slash. */
  readonly baseURL: string;

  constructor(options: ClientOptions = {}) {
    const checked = resolveClientOptions(options);
    const { given } = checked;
    const keySource = given.apiKey !== undefined ? "apiKey" : API_KEY_ENV;
    const apiKey = given.apiKey ?? readEnv(API_KEY_ENV);
    if (typeof apiKey !== "string" || apiKey.trim() === "") throw apiKeyError(API_KEY_ENV, undefined);
    const problem = apiKeyProblem(apiKey);
    if (problem) throw apiKeyError(keySource, problem);
    this.baseURL = resolveBaseURL(given.baseURL, given.baseURL === undefined ? readEnv(BASE_URL_ENV) : undefined);

    const errors = new Errors(new Redactor(apiKey));
    const userFetch = checked.fetch;
    // globalThis.fetch is read per request, not once: a test (or an app) that replaces it later is honoured.
    const sender: Sender = userFetch ? (url, init) => userFetch(url, init) : (url, init) => globalThis.fetch(url, init);
    const layer = new FetchLayer({
      fetch: sender,
      authorization: `Bearer ${apiKey}`,
      logger: checked.logger,
      errors,
    });
    // The one place openapi-fetch's types meet what it does when given LightRequest: see Engine.
    const engine = createClient<paths>({
      baseUrl: this.baseURL,
      // Absent rather than {}: openapi-fetch then skips it when merging headers, twice per request.
      ...(checked.defaultHeaders ? { headers: checked.defaultHeaders } : {}),
      // openapi-fetch builds a LightRequest; the per-call `fetch` the request path passes receives it.
      Request: LightRequest as unknown as typeof Request,
      querySerializer: serializeQuery as (query: unknown) => string,
      pathSerializer: serializePath,
      bodySerializer: serializeBody,
    }) as unknown as Engine;
    const path = new RequestPath(engine, layer, checked.settings, errors, this.baseURL);
    this.raw = path.raw();
    const send = path.send.bind(path);
    this.calls = new Calls(
      send,
      path.sendAction.bind(path),
      checked.dialRate ? new DialPacer(checked.dialRate, errors) : undefined,
    );
    this.callControlApplications = new CallControlApplications(send);
    this.connections = new Connections(send);
  }
}

/** JSON for objects and arrays; text and binary data are sent as they are. */
function serializeBody(body: unknown): unknown {
  return typeof body === "object" && body !== null && (Array.isArray(body) || isPlainObject(body))
    ? JSON.stringify(body)
    : body;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Env without `node:` imports: Node and Bun have `process.env`; Deno may refuse access without --allow-env. */
function readEnv(name: string): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  } catch {
    return undefined;
  }
}
