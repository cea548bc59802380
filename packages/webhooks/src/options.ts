// The options of `new Webhooks`, and the one place they are checked. Each falls back when absent or
// `undefined`; a value out of its range is refused at construction, never clamped or ignored (an infinite
// tolerance or body limit would quietly switch a protection off).
import type { Ed25519Provider } from "./crypto/provider.js";
import type { WebhookVerificationError } from "./errors.js";
import {
  type ErrorReporter,
  type RejectionReporter,
  reportToConsole,
  type WebhookRejection,
  warnOfRejections,
} from "./handlers/respond.js";

export interface WebhooksOptions {
  /** Base64 Ed25519 public key from the Telnyx portal. Default: the `TELNYX_PUBLIC_KEY` environment variable. */
  publicKey?: string | undefined;
  /**
   * How far (seconds) `telnyx-timestamp` may be from now, either way: the replay window. From 1 to 3600;
   * default 300.
   */
  tolerance?: number | undefined;
  /** Handlers only: the largest body accepted (bytes); larger bodies get 413. From 1 to 2^30; default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /**
   * Handlers only: how long (milliseconds) the handler waits for the whole request body once it starts
   * reading it; a body still incomplete then gets 408 (`body_timeout`). From 1 to 300000; default 5000.
   */
  bodyTimeoutMs?: number | undefined;
  /**
   * Handlers only: receives errors thrown by your event handler (answered with 500, or the connection is
   * destroyed when the handler had already sent headers). Default: console.error.
   */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Handlers only: sees each webhook refused by verification (bad or missing signature, stale timestamp, body
   * too large or too slow) with the `WebhookVerificationError` (its `reason`) and `{ status, eventId }` (the
   * body's `data.id` when it was read and parses). Telnyx only sees the 400 and retries; without this hook a
   * warning is logged, at most once a minute with the count by reason, so a wrong key is never silent.
   */
  onRejected?: ((error: WebhookVerificationError, rejection: WebhookRejection) => void) | undefined;
  /** Overrides the Ed25519 implementation chosen for this runtime. Rarely needed. */
  crypto?: Ed25519Provider | undefined;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

interface Range {
  fallback: number;
  min: number;
  max: number;
  integer: boolean;
  unit: string;
  why: string;
}

const RANGES = {
  tolerance: {
    fallback: 300,
    min: 1,
    max: 3600,
    integer: false,
    unit: "seconds",
    why: "the replay window",
  },
  maxBodyBytes: {
    fallback: DEFAULT_MAX_BODY_BYTES,
    min: 1,
    max: 2 ** 30,
    integer: true,
    unit: "bytes",
    why: "larger bodies get 413",
  },
  bodyTimeoutMs: {
    fallback: 5000,
    min: 1,
    max: 300_000,
    integer: false,
    unit: "milliseconds",
    why: "a body still incomplete then gets 408",
  },
} satisfies Record<string, Range>;

function numberOption(name: keyof typeof RANGES, value: unknown): number {
  const range: Range = RANGES[name];
  if (value === undefined) return range.fallback;
  const expected =
    `\`${name}\` must be ${range.integer ? "an integer" : "a finite number"} of ${range.unit} from ` +
    `${range.min} to ${range.max} (default ${range.fallback}; ${range.why})`;
  if (typeof value !== "number") {
    throw new TypeError(`Webhooks: ${expected}, got a ${value === null ? "null" : typeof value}.`);
  }
  if (
    !Number.isFinite(value) ||
    value < range.min ||
    value > range.max ||
    (range.integer && !Number.isInteger(value))
  ) {
    throw new RangeError(`Webhooks: ${expected}, got ${String(value)}.`);
  }
  return value;
}

export interface ResolvedOptions {
  tolerance: number;
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  onError: ErrorReporter;
  onRejected: RejectionReporter;
}

export function resolveOptions(options: WebhooksOptions): ResolvedOptions {
  const onError = options.onError ?? reportToConsole;
  if (typeof onError !== "function") {
    throw new TypeError(`Webhooks: \`onError\` must be a function of the error, got a ${typeof onError}.`);
  }
  const onRejected = options.onRejected ?? warnOfRejections();
  if (typeof onRejected !== "function") {
    throw new TypeError(
      `Webhooks: \`onRejected\` must be a function (error, { status, eventId }) => void, got a ${typeof onRejected}.`,
    );
  }
  return {
    tolerance: numberOption("tolerance", options.tolerance),
    maxBodyBytes: numberOption("maxBodyBytes", options.maxBodyBytes),
    bodyTimeoutMs: numberOption("bodyTimeoutMs", options.bodyTimeoutMs),
    onError,
    onRejected,
  };
}
