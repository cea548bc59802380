// Options shared by the client and its requests.
import type { BackoffOptions } from "./retry.js";

/** Where the client reports requests and retries. Any console-like object works; every method is optional. */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
  error?(message: string, details?: Record<string, unknown>): void;
}

/** Per-request options, the last argument of every method. */
export interface RequestOptions {
  /** Milliseconds to wait for a response on each attempt (default: the client's, 60000). */
  timeout?: number | undefined;
  /** Retries after the first attempt (default: the client's, 2). */
  maxRetries?: number | undefined;
  /** Aborts the request, including any wait between retries, with `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this request. */
  headers?: Record<string, string> | undefined;
  /**
   * Call commands only (dial and every action): when no response has come within this many
   * milliseconds, send the identical command again at once (same `command_id`, so Telnyx runs it at
   * most once), as Telnyx advises. Counts against `maxRetries`. Off by default.
   */
  commandTimeout?: number | undefined;
}

export interface ClientOptions {
  /** Defaults to the `TELNYX_API_KEY` environment variable where the runtime has one. */
  apiKey?: string | undefined;
  /** Defaults to the `TELNYX_BASE_URL` environment variable, else `https://api.telnyx.com/v2`. */
  baseURL?: string | undefined;
  /** Retries after the first attempt, default 2. */
  maxRetries?: number | undefined;
  /** Milliseconds to wait for a response on each attempt, default 60000. */
  timeout?: number | undefined;
  /** Default for `RequestOptions.commandTimeout` (off when unset). */
  commandTimeout?: number | undefined;
  /** The fetch to send with (default `globalThis.fetch`): a test double, a proxy agent, a runtime's own. */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** Request and retry log lines; `Authorization` is always redacted. */
  logger?: Logger | undefined;
  /** Backoff between retries when the server does not say how long to wait. */
  backoff?: BackoffOptions | undefined;
}
