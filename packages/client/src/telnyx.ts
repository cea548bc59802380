// The client: one openapi-fetch instance (`raw`) configured with the client's middleware, request
// class and fetch layer; every resource method goes through it.
import type { paths } from "@telnyx-voice/types";
import openapiFetch, { type Client } from "openapi-fetch";
import { APIUserAbortError, TelnyxError } from "./errors.js";
import { createFetchLayer, LightRequest, REQUEST_OPTIONS } from "./fetch-layer.js";
import { coreMiddleware } from "./middleware.js";
import type { ClientOptions, RequestOptions } from "./options.js";
import { serializeQuery } from "./query.js";
import { CallControlApplications } from "./resources/call-control-applications.js";
import { Calls } from "./resources/calls.js";
import { Connections } from "./resources/connections.js";
import { DEFAULT_BACKOFF } from "./retry.js";
import type { HttpVerb, RequestParts } from "./transport.js";

// In the CommonJS build the default import is openapi-fetch's `exports` object (Node's interop), whose
// `default` is createClient; in ESM it is createClient itself.
const createClient: typeof openapiFetch =
  typeof openapiFetch === "function"
    ? openapiFetch
    : (openapiFetch as unknown as { default: typeof openapiFetch }).default;

export const DEFAULT_BASE_URL = "https://api.telnyx.com/v2";
const API_KEY_ENV = "TELNYX_API_KEY";
const BASE_URL_ENV = "TELNYX_BASE_URL";

type Untyped = Record<HttpVerb, (path: string, init: Record<string | symbol, unknown>) => Promise<{ data?: unknown }>>;

export class Telnyx {
  /** Call control: `dial`, `retrieveStatus`, and every call command under `actions`. */
  readonly calls: Calls;
  readonly callControlApplications: CallControlApplications;
  readonly connections: Connections;
  /**
   * The typed openapi-fetch client over every path of the slice, with the same auth, validation,
   * `command_id`, retries and thrown errors as the methods above: `telnyx.raw.GET("/calls/{call_control_id}", ...)`.
   */
  readonly raw: Client<paths>;
  readonly baseURL: string;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv(API_KEY_ENV);
    if (typeof apiKey !== "string" || apiKey.trim() === "") {
      throw new TelnyxError(
        `No Telnyx API key: pass it as new Telnyx({ apiKey }) or set the ${API_KEY_ENV} environment variable.`,
      );
    }
    const maxRetries = options.maxRetries ?? 2;
    const timeout = options.timeout ?? 60_000;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new TelnyxError(`maxRetries must be a whole number >= 0, got ${String(maxRetries)}`);
    }
    if (!(timeout > 0)) throw new TelnyxError(`timeout must be a number of milliseconds > 0, got ${String(timeout)}`);
    // TELNYX_BASE_URL (as the official SDK reads it) points code written for Telnyx at the simulator unchanged.
    const baseURL = (options.baseURL ?? (readEnv(BASE_URL_ENV) || undefined) ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    if (!isAbsoluteURL(baseURL)) {
      throw new TelnyxError(`baseURL must be an absolute URL like ${DEFAULT_BASE_URL}, got "${baseURL}"`);
    }
    this.baseURL = baseURL;

    const runtimeFetch = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
    const fetch = createFetchLayer({
      fetch: runtimeFetch,
      timeout,
      maxRetries,
      commandTimeout: options.commandTimeout,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      logger: options.logger,
    });
    this.raw = createClient<paths>({
      baseUrl: baseURL,
      headers: options.defaultHeaders,
      Request: LightRequest as unknown as typeof Request,
      fetch: fetch as unknown as (input: Request) => Promise<Response>,
      querySerializer: serializeQuery as (query: unknown) => string,
      // Objects reach the client's middleware as they are; it validates, adds `command_id`, then serialises.
      bodySerializer: (body: unknown) => body,
    });
    this.raw.use(coreMiddleware(apiKey));

    const raw = this.raw as unknown as Untyped;
    const send = <T>(method: HttpVerb, path: string, parts: RequestParts, opts?: RequestOptions): Promise<T> => {
      const params = { path: parts.path, query: parts.query };
      // Options ride along only when given: the plain two-key init keeps openapi-fetch's spreads fast.
      const init: Record<string | symbol, unknown> = opts
        ? { params, body: parts.body, headers: opts.headers, signal: opts.signal, [REQUEST_OPTIONS]: opts }
        : { params, body: parts.body };
      return raw[method](path, init).then((r) => r.data as T, afterFetch(method, path, opts?.signal));
    };
    this.calls = new Calls(send);
    this.callControlApplications = new CallControlApplications(send);
    this.connections = new Connections(send);
  }
}

/**
 * Failures while openapi-fetch reads a 2xx body, which the fetch layer beneath it no longer sees: a body
 * that is not JSON (a captive portal's HTML page, say) throws a bare SyntaxError, and the caller's signal
 * aborting mid-body a bare DOMException. Both become the client's own errors; the rest pass through.
 */
function afterFetch(method: string, path: string, signal: AbortSignal | undefined): (error: unknown) => never {
  return (error) => {
    if (signal?.aborted && !(error instanceof TelnyxError)) {
      throw new APIUserAbortError(`${method} ${path} was aborted by the caller's signal`, { cause: error });
    }
    if (error instanceof SyntaxError) {
      throw new TelnyxError(
        `${method} ${path} answered with a success status but a body that is not JSON (${error.message}). ` +
          "Check `baseURL`: something other than the Telnyx API (a proxy or captive portal) may have answered.",
        { cause: error },
      );
    }
    throw error;
  };
}

function isAbsoluteURL(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** Env without `node:` imports: Node and Bun have `process.env`; Deno may refuse access without --allow-env. */
function readEnv(name: string): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  } catch {
    return undefined;
  }
}
