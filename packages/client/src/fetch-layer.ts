// The bottom of every request: openapi-fetch builds a LightRequest (not an undici Request, whose
// construction dominated the client's overhead), runs the middleware, then calls this fetch, which
// sends, times out, and retries with backoff beneath the middleware so every attempt carries the
// same headers and body (and so the same `command_id`).
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, TelnyxError } from "./errors.js";
import type { Logger, RequestOptions } from "./options.js";
import {
  type BackoffOptions,
  backoffDelay,
  connectionNeverSent,
  isRetryableStatus,
  provesNotProcessed,
  serverDelay,
  sleep,
} from "./retry.js";

/** Key under which the client passes per-request options through openapi-fetch's init to the fetch layer. */
export const REQUEST_OPTIONS: unique symbol = Symbol("telnyx.requestOptions");

type LightInit = RequestInit & { [REQUEST_OPTIONS]?: RequestOptions };

/**
 * What middleware receives as `request`: `url`, `method`, `headers` (a `Headers`), `body` (the JSON
 * text once the client's own middleware has run) and `signal`. It is not a `Request`: no `clone()`,
 * no body streams.
 */
export class LightRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  body: unknown;
  readonly signal: AbortSignal | null;
  /** Set for call commands: the `command_id` every attempt carries, which makes them safe to resend. */
  commandId: string | undefined;
  readonly options: RequestOptions | undefined;

  constructor(url: string, init: LightInit = {}) {
    this.url = url;
    this.method = (init.method ?? "GET").toUpperCase();
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = init.body;
    this.signal = init.signal ?? null;
    this.options = init[REQUEST_OPTIONS];
  }
}

export interface FetchLayerConfig {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  timeout: number;
  maxRetries: number;
  commandTimeout: number | undefined;
  backoff: Required<BackoffOptions>;
  logger: Logger | undefined;
}

export function createFetchLayer(config: FetchLayerConfig): (request: LightRequest) => Promise<Response> {
  const { logger } = config;
  return async function send(request) {
    const options = request.options;
    const attempts = (options?.maxRetries ?? config.maxRetries) + 1;
    const timeout = options?.timeout ?? config.timeout;
    if (options) checkRequestOptions(options);
    const isCommand = request.commandId !== undefined;
    const commandTimeout = isCommand ? (options?.commandTimeout ?? config.commandTimeout) : undefined;
    const limit = commandTimeout !== undefined ? Math.min(commandTimeout, timeout) : timeout;
    // GETs and call commands (deduplicated by `command_id`) may be repeated; anything else only when
    // the failure shows the server never acted on it.
    const safe = isCommand || request.method === "GET" || request.method === "HEAD";
    const userSignal = request.signal;
    const body = request.body as BodyInit | null | undefined;
    // undici copies a plain object into a request several times faster than it iterates a Headers.
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });

    for (let attempt = 1; ; attempt++) {
      if (userSignal?.aborted) throw new APIUserAbortError(`${whereOf(request)} was aborted by the caller's signal`);
      if (logger?.debug)
        logger.debug(`telnyx: ${whereOf(request)} (attempt ${attempt}/${attempts})`, {
          headers: redacted(request.headers),
        });

      let timer: ReturnType<typeof setTimeout> | undefined;
      let timedOut = false;
      // The caller's signal goes to fetch as is. The timeout is a race, not a signal: handing fetch a
      // signal of our own cost more per request (an AbortSignal, listeners, a finalizer in undici)
      // than all the rest of the client. A request that loses the race is left to finish on its own
      // and its late response is discarded; commands resent meanwhile carry the same command_id.
      // One promise settled by whichever comes first, rather than Promise.race over fetch and a
      // second timer promise: same outcome, fewer promises and reactions per request. A fetch that
      // throws synchronously rejects it through the executor.
      let pending: Promise<Response> | undefined;
      let response: Response;
      try {
        response = await new Promise<Response>((resolve, reject) => {
          pending = config.fetch(request.url, { method: request.method, headers, body, signal: userSignal });
          timer = setTimeout(() => {
            timedOut = true;
            reject(TIMED_OUT);
          }, limit);
          pending.then(resolve, reject);
        });
      } catch (error) {
        if (userSignal?.aborted)
          throw new APIUserAbortError(`${whereOf(request)} was aborted by the caller's signal`, { cause: error });
        if (timedOut) pending?.then(discard, discard);
        const retry = attempt < attempts && (safe || (!timedOut && connectionNeverSent(error)));
        if (timedOut) {
          if (retry) {
            // A command that got no answer is resent at once, as Telnyx advises; other timeouts back off.
            const delay = commandTimeout !== undefined ? 0 : backoffDelay(attempt - 1, config.backoff);
            logger?.warn?.(
              `telnyx: ${whereOf(request)} got no response within ${limit} ms; retrying in ${Math.round(delay)} ms`,
            );
            await wait(delay, userSignal, whereOf(request));
            continue;
          }
          throw new APIConnectionTimeoutError(
            `${whereOf(request)} got no response within ${limit} ms (${attempt} attempt${attempt > 1 ? "s" : ""}). Raise \`timeout\` if the network is slow.`,
          );
        }
        if (retry) {
          const delay = backoffDelay(attempt - 1, config.backoff);
          logger?.warn?.(
            `telnyx: ${whereOf(request)} failed to connect (${reason(error)}); retrying in ${Math.round(delay)} ms`,
          );
          await wait(delay, userSignal, whereOf(request));
          continue;
        }
        throw new APIConnectionError(
          `${whereOf(request)} failed: ${reason(error)} (${attempt} attempt${attempt > 1 ? "s" : ""}). Check the network and \`baseURL\`.`,
          { cause: error },
        );
      } finally {
        clearTimeout(timer);
      }

      const status = response.status;
      if (status < 400 || attempt >= attempts) return response;
      if (!(safe ? isRetryableStatus(status) : provesNotProcessed(status))) return response;
      const delay = serverDelay(response.headers) ?? backoffDelay(attempt - 1, config.backoff);
      // The server asked for a longer wait than a retry should stall a call: hand its answer back.
      if (delay === Number.POSITIVE_INFINITY) return response;
      // Drain the refused response so the connection can be reused.
      await response.body?.cancel().catch(() => undefined);
      logger?.warn?.(
        `telnyx: ${whereOf(request)} returned ${status}; retrying in ${Math.round(delay)} ms (attempt ${attempt + 1}/${attempts})`,
      );
      await wait(delay, userSignal, whereOf(request));
    }
  };
}

const TIMED_OUT = Symbol("telnyx.timeout");

/** Per-request options get the same checks as the constructor's: a NaN maxRetries would retry for ever. */
function checkRequestOptions(options: RequestOptions): void {
  const { maxRetries, timeout, commandTimeout } = options;
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw new TelnyxError(`maxRetries must be a whole number >= 0, got ${String(maxRetries)}`);
  }
  if (timeout !== undefined && !(timeout > 0)) {
    throw new TelnyxError(`timeout must be a number of milliseconds > 0, got ${String(timeout)}`);
  }
  if (commandTimeout !== undefined && !(commandTimeout > 0)) {
    throw new TelnyxError(`commandTimeout must be a number of milliseconds > 0, got ${String(commandTimeout)}`);
  }
}

/** `POST https://...`, for errors and log lines: built only there, not on every request. */
function whereOf(request: LightRequest): string {
  return `${request.method} ${request.url}`;
}

function discard(response: unknown): void {
  if (response instanceof Response) response.body?.cancel().catch(() => undefined);
}

async function wait(ms: number, signal: AbortSignal | null, where: string): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleep(ms, signal);
  } catch (cause) {
    throw new APIUserAbortError(`${where} was aborted by the caller's signal`, { cause });
  }
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  const message = error instanceof Error ? error.message : String(error);
  return `${message}${code}`;
}

function redacted(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  const auth = headers.get("authorization");
  // The key is whatever follows "Bearer ": any header that carries it (x-api-key, say) is redacted too.
  const key = auth?.startsWith("Bearer ") ? auth.slice(7) : "";
  headers.forEach((value, name) => {
    out[name] = name === "authorization" ? "Bearer [redacted]" : key && value.includes(key) ? "[redacted]" : value;
  });
  return out;
}
