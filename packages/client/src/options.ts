// Options of the client and of each request, and the one resolver that checks them: the constructor
// and every per-request options object go through `resolveSettings`, so a value refused in one place is
// refused in the other with the same message. Every option that falls back when absent also accepts an
// explicit `undefined` (for `exactOptionalPropertyTypes` users passing `process.env.X`).
import { headerError, optionError, unknownOption } from "./errors.js";

/** Who is asking, for messages: a label, or a call whose label is built only if something is refused. */
type Where = string | { readonly operation: string };
const named = (where: Where): string => (typeof where === "string" ? where : where.operation);

/** Where the client reports requests and retries. Any console-like object works; every method is optional. */
export interface Logger {
  debug?: ((message: string, details?: Record<string, unknown>) => void) | undefined;
  info?: ((message: string, details?: Record<string, unknown>) => void) | undefined;
  warn?: ((message: string, details?: Record<string, unknown>) => void) | undefined;
  error?: ((message: string, details?: Record<string, unknown>) => void) | undefined;
}

/** Backoff tuning: the first retry waits about `initialDelay` ms, doubling up to `maxDelay` ms. */
export interface BackoffOptions {
  /** Default 500. */
  initialDelay?: number | undefined;
  /** Default 8000. */
  maxDelay?: number | undefined;
}

/**
 * What `dialRate` keeps its slots in: anything with `reserve(key, intervalMs)`, which reserves the next free
 * slot of `key` (slots `intervalMs` apart across everyone sharing the store) and resolves with the ms to wait
 * for it. `redisStore` from `@telnyx-voice/redis` (many instances) and `memoryStore()` from
 * `@telnyx-voice/webhooks` (one process) are such stores.
 */
export interface DialPaceStore {
  reserve(key: string, intervalMs: number): Promise<number>;
}

/**
 * Paces `calls.dial` for every client that shares `store` and `key`: dials leave `1000 / perSecond` ms apart,
 * whichever instance sends them. Telnyx refuses dials (429, code 90103) past its dials-per-second limit, 30 a
 * second by default, summed over a rolling 5 seconds.
 */
export interface DialRateOptions {
  /**
   * Dials per second, all instances together. Set it a little under your account's limit (25 to 28 for the
   * default 30): evenly spaced dials can still be bunched on the way. From 0.01 to 10000.
   */
  perSecond: number;
  /** Where the slots are kept, shared by every instance: `redisStore({ url })`, or `memoryStore()` in one process. */
  store: DialPaceStore;
  /** The slots' name in the store (default `"dials"`): one per Telnyx account sharing the store. */
  key?: string | undefined;
  /**
   * The longest a dial waits for its slot (default 60000 ms). A dial whose slot is further away is not sent: it
   * rejects with `DialRateError` (too many dials queued for the rate).
   */
  maxWaitMs?: number | undefined;
}

/** Per-request options, the last argument of every method (and accepted in `telnyx.raw`'s init). */
export interface RequestOptions {
  /** Milliseconds each attempt may take, response headers and body (default: the client's, 60000). */
  timeout?: number | undefined;
  /** Retries after the first attempt (default: the client's, 2). */
  maxRetries?: number | undefined;
  /** Aborts the request, including any wait between retries, with `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this request. */
  headers?: Record<string, string> | undefined;
  /**
   * Call commands only (dial and every action): when no response has come within this many
   * milliseconds, send the identical command again (same `command_id`, so Telnyx runs it at most
   * once), as Telnyx advises, keeping the earlier attempt open: whichever answers first is the answer.
   * Counts against `maxRetries`. Off by default.
   */
  commandTimeout?: number | undefined;
  /** Largest response body accepted, in bytes (default: the client's, 10 MiB). */
  maxResponseBytes?: number | undefined;
}

export interface ClientOptions {
  /** Defaults to the `TELNYX_API_KEY` environment variable where the runtime has one. */
  apiKey?: string | undefined;
  /** Defaults to the `TELNYX_BASE_URL` environment variable, else `https://api.telnyx.com/v2`. */
  baseURL?: string | undefined;
  /** Retries after the first attempt, default 2. */
  maxRetries?: number | undefined;
  /** Milliseconds each attempt may take, response headers and body, default 60000. */
  timeout?: number | undefined;
  /** Default for `RequestOptions.commandTimeout` (off when unset). */
  commandTimeout?: number | undefined;
  /** Largest response body accepted, in bytes, default 10 MiB (10485760). */
  maxResponseBytes?: number | undefined;
  /**
   * The fetch to send with (default `globalThis.fetch`, looked up on each request): a test double, Node's fetch with
   * an undici proxy `dispatcher`, a runtime's own.
   */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** Request and retry log lines; `Authorization` is always redacted. */
  logger?: Logger | undefined;
  /** Backoff between retries when the server does not say how long to wait. */
  backoff?: BackoffOptions | undefined;
  /**
   * Paces `calls.dial` across every instance sharing a store (opt-in): `{ perSecond: 25, store: redisStore({ url }) }`.
   * Off by default.
   */
  dialRate?: DialRateOptions | undefined;
}

/** What one request runs with: the client's settings, overridden by the request's own options. */
export interface Settings {
  readonly timeout: number;
  readonly maxRetries: number;
  readonly commandTimeout: number | undefined;
  readonly maxResponseBytes: number;
  readonly backoff: { readonly initialDelay: number; readonly maxDelay: number };
}

/** setTimeout fires at once for anything longer (and Node warns), so no wait may exceed it. */
const MAX_TIMER_MS = 2_147_483_647;

const DEFAULT_SETTINGS: Settings = {
  timeout: 60_000,
  maxRetries: 2,
  commandTimeout: undefined,
  maxResponseBytes: 10 * 1024 * 1024,
  backoff: { initialDelay: 500, maxDelay: 8_000 },
};

const CLIENT_KEYS = [
  "apiKey",
  "baseURL",
  "maxRetries",
  "timeout",
  "commandTimeout",
  "maxResponseBytes",
  "fetch",
  "defaultHeaders",
  "logger",
  "backoff",
  "dialRate",
] as const satisfies readonly (keyof ClientOptions)[];
const REQUEST_KEYS = [
  "timeout",
  "maxRetries",
  "signal",
  "headers",
  "commandTimeout",
  "maxResponseBytes",
] as const satisfies readonly (keyof RequestOptions)[];
const BACKOFF_KEYS = ["initialDelay", "maxDelay"] as const satisfies readonly (keyof BackoffOptions)[];
const DIAL_RATE_KEYS = ["perSecond", "store", "key", "maxWaitMs"] as const satisfies readonly (keyof DialRateOptions)[];

/** The option names `telnyx.raw` takes from its init besides openapi-fetch's own. */
export const SETTINGS_KEYS = ["timeout", "maxRetries", "commandTimeout", "maxResponseBytes"] as const;

const WAIT = `a number of milliseconds from 1 to ${MAX_TIMER_MS}`;
const DELAY = `a number of milliseconds from 0 to ${MAX_TIMER_MS}`;

/** NaN fails both comparisons and Infinity the upper one, so neither gets through. */
function milliseconds(where: Where, name: string, value: unknown, min: 0 | 1): number {
  if (typeof value === "number" && value >= min && value <= MAX_TIMER_MS) return value;
  throw optionError(named(where), name, value, min === 1 ? WAIT : DELAY);
}

function count(where: Where, name: string, value: unknown, min: 0 | 1): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= min) return value;
  throw optionError(named(where), name, value, `a whole number >= ${min}`);
}

function objectOrUndefined(where: Where, name: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw optionError(named(where), name, value, "an object");
}

function refuseUnknown(where: Where, suffix: string, given: Record<string, unknown>, known: readonly string[]): void {
  for (const name in given) if (!known.includes(name)) throw unknownOption(`${named(where)}${suffix}`, name, known);
}

/** The subset of options that make up Settings, as given (client or request). */
type SettingsInput = Pick<ClientOptions, "timeout" | "maxRetries" | "commandTimeout" | "maxResponseBytes" | "backoff">;

/**
 * `base` overridden by the settings in `given`, each checked; `given` itself is never kept. `where` names
 * the caller in messages ("new Telnyx()", "dial").
 */
function resolveSettings(where: Where, base: Settings, given: SettingsInput): Settings {
  const { timeout, maxRetries, commandTimeout, maxResponseBytes, backoff } = given;
  const back = objectOrUndefined(where, "backoff", backoff);
  if (back) refuseUnknown(where, " backoff", back, BACKOFF_KEYS);
  return {
    timeout: timeout === undefined ? base.timeout : milliseconds(where, "timeout", timeout, 1),
    maxRetries: maxRetries === undefined ? base.maxRetries : count(where, "maxRetries", maxRetries, 0),
    commandTimeout:
      commandTimeout === undefined ? base.commandTimeout : milliseconds(where, "commandTimeout", commandTimeout, 1),
    maxResponseBytes:
      maxResponseBytes === undefined ? base.maxResponseBytes : count(where, "maxResponseBytes", maxResponseBytes, 1),
    backoff:
      back === undefined
        ? base.backoff
        : {
            initialDelay:
              back.initialDelay === undefined
                ? base.backoff.initialDelay
                : milliseconds(where, "backoff.initialDelay", back.initialDelay, 0),
            maxDelay:
              back.maxDelay === undefined
                ? base.backoff.maxDelay
                : milliseconds(where, "backoff.maxDelay", back.maxDelay, 0),
          },
  };
}

/** Header names are tokens; values may not break the header block (CR, LF, NUL) and must be Latin-1. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL, CR and LF are exactly what is refused.
const BAD_VALUE = /[\r\n\0]|[^\u0000-\u00ff]/;

/** Checks a headers option; values are never echoed (a header may carry a secret). */
function checkHeaders(where: Where, name: string, value: unknown): Record<string, string> | undefined {
  const headers = objectOrUndefined(where, name, value);
  if (!headers) return undefined;
  for (const key in headers) {
    const v = headers[key];
    if (!TOKEN.test(key)) throw headerError(named(where), key, "has a name that is not a valid HTTP header name");
    if (typeof v !== "string")
      throw headerError(named(where), key, `is ${v === null ? "null" : `a ${typeof v}`}, not a string`);
    if (BAD_VALUE.test(v))
      throw headerError(named(where), key, "has a line break, a NUL or a non-Latin-1 character in its value");
  }
  return headers as Record<string, string>;
}

/**
 * raw's `headers`, in openapi-fetch's forms (a record whose values may also be numbers, booleans, arrays, or
 * null to remove a header): string values get the same check as above, so a bad value is refused by name
 * rather than surfacing as a TypeError from Headers that quotes it.
 */
export function checkRawHeaders(where: Where, value: unknown): void {
  if (value === undefined || value === null || typeof value !== "object" || value instanceof Headers) return;
  if (Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (typeof item === "string" && BAD_VALUE.test(item)) {
        throw headerError(named(where), key, "has a line break, a NUL or a non-Latin-1 character in its value");
      }
    }
  }
}

/** `dialRate`, checked, with its defaults. */
export interface CheckedDialRate {
  intervalMs: number;
  store: DialPaceStore;
  key: string;
  maxWaitMs: number;
}

function checkDialRate(where: Where, value: unknown): CheckedDialRate | undefined {
  const given = objectOrUndefined(where, "dialRate", value);
  if (!given) return undefined;
  refuseUnknown(where, " dialRate", given, DIAL_RATE_KEYS);
  const { perSecond, store, key, maxWaitMs } = given;
  if (!(typeof perSecond === "number" && perSecond >= 0.01 && perSecond <= 10_000)) {
    throw optionError(named(where), "dialRate.perSecond", perSecond, "a number of dials per second from 0.01 to 10000");
  }
  if (typeof store !== "object" || store === null || typeof (store as DialPaceStore).reserve !== "function") {
    throw optionError(
      named(where),
      "dialRate.store",
      store,
      "a store with reserve(key, intervalMs), such as redisStore({ url }) from @telnyx-voice/redis",
    );
  }
  if (key !== undefined && (typeof key !== "string" || key === "")) {
    throw optionError(named(where), "dialRate.key", key, "a non-empty string");
  }
  return {
    intervalMs: 1000 / perSecond,
    store: store as DialPaceStore,
    key: key ?? "dials",
    maxWaitMs: maxWaitMs === undefined ? 60_000 : milliseconds(where, "dialRate.maxWaitMs", maxWaitMs, 1),
  };
}

/** Client options other than the settings, checked. */
export interface CheckedClientOptions {
  settings: Settings;
  fetch: ((input: string, init: RequestInit) => Promise<Response>) | undefined;
  defaultHeaders: Record<string, string> | undefined;
  logger: Logger | undefined;
  dialRate: CheckedDialRate | undefined;
}

export function resolveClientOptions(options: unknown): CheckedClientOptions & { given: ClientOptions } {
  const where = "new Telnyx()";
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw optionError(where, "options", options, "an object of options");
  }
  const given = (options ?? {}) as ClientOptions;
  refuseUnknown(where, "", given as Record<string, unknown>, CLIENT_KEYS);
  if (given.fetch !== undefined && typeof given.fetch !== "function") {
    throw optionError(where, "fetch", given.fetch, "a function (url, init) => Promise<Response>");
  }
  const logger = objectOrUndefined(where, "logger", given.logger) as Logger | undefined;
  return {
    given,
    settings: resolveSettings(where, DEFAULT_SETTINGS, given),
    fetch: given.fetch,
    defaultHeaders: checkHeaders(where, "defaultHeaders", given.defaultHeaders),
    logger,
    dialRate: checkDialRate(where, given.dialRate),
  };
}

/**
 * A request's options checked against the client's settings: the same resolver as the constructor's.
 * Returns `base` itself when the request overrides nothing (the common case allocates nothing).
 */
export function resolveRequestOptions(where: Where, base: Settings, options: RequestOptions): Settings {
  if (options === null || typeof options !== "object") {
    throw optionError(named(where), "options", options, "an object of request options");
  }
  refuseUnknown(where, " request", options as Record<string, unknown>, REQUEST_KEYS);
  const { signal, headers } = options;
  if (signal !== undefined && !(typeof signal === "object" && signal !== null && "aborted" in signal)) {
    throw optionError(named(where), "signal", signal, "an AbortSignal");
  }
  if (headers !== undefined) checkHeaders(where, "headers", headers);
  const { timeout, maxRetries, commandTimeout, maxResponseBytes } = options;
  if (
    timeout === undefined &&
    maxRetries === undefined &&
    commandTimeout === undefined &&
    maxResponseBytes === undefined
  )
    return base;
  return resolveSettings(where, base, options);
}
