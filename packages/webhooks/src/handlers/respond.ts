import { WebhookBusyError, WebhookVerificationError } from "../errors.js";
import type { WebhookEvent } from "../events.js";

/**
 * The answer to a `WebhookBusyError` from the router: 503 with `Retry-After`, so that Telnyx delivers the
 * event again. Not the app's error, so not reported.
 */
export function busyAnswer(error: unknown): { status: number; body: string; retryAfter: string } | undefined {
  if (!(error instanceof WebhookBusyError)) return undefined;
  return { status: 503, body: error.reason, retryAfter: String(Math.max(1, Math.ceil(error.retryAfterSeconds))) };
}

/** Status and short body for a failure; the full message is for logs, not for the caller. */
export function failure(error: unknown): { status: number; body: string } | undefined {
  if (!(error instanceof WebhookVerificationError)) return undefined;
  if (error.reason === "body_too_large") return { status: 413, body: error.reason };
  if (error.reason === "body_timeout") return { status: 408, body: error.reason };
  // A misconfigured server, not a bad request: 5xx makes Telnyx retry once it is fixed.
  if (error.reason === "body_already_parsed") return { status: 500, body: error.reason };
  return { status: 400, body: error.reason };
}

export function tooLarge(limit: number): WebhookVerificationError {
  return new WebhookVerificationError(
    "body_too_large",
    `The webhook body is larger than maxBodyBytes (${limit} bytes). Raise maxBodyBytes if your events are larger.`,
  );
}

export function bodyTimedOut(ms: number): WebhookVerificationError {
  return new WebhookVerificationError(
    "body_timeout",
    `The webhook body was not complete within bodyTimeoutMs (${ms} ms), so the request was answered 408 and ` +
      "its connection closed. Telnyx sends whole bodies at once; raise bodyTimeoutMs only if a slow proxy sits in between.",
  );
}

/**
 * What a handler needs of the `Webhooks` that made it: the checks that need only the headers (run before the
 * body is read, so a request that cannot verify is answered without holding its body), and the whole of it.
 */
export interface Verification<Body, Headers> {
  checkHeaders(headers: Headers): void;
  unwrap(body: Body, headers: Headers): Promise<WebhookEvent>;
}

/** The limits a handler applies while reading a body. */
export interface BodyLimits {
  maxBodyBytes: number;
  bodyTimeoutMs: number;
}

/** What a handler knows of a webhook it refused, beside the error. */
export interface WebhookRejection {
  /** The status it answered (400, 408, 413). */
  status: number;
  /** `data.id` of the body, when it was read and parses; a refused body is not trusted for anything else. */
  eventId: string | undefined;
}

/** Sees each webhook a handler refused (`new Webhooks({ onRejected })`). */
export type RejectionReporter = (error: WebhookVerificationError, rejection: WebhookRejection) => void;

/** A refused body is parsed for its id only while small: a flood of large unsigned bodies costs no parsing. */
const ID_PARSE_LIMIT = 64 * 1024;

export function eventIdOf(body: string | Uint8Array | undefined): string | undefined {
  try {
    if (!body || body.length > ID_PARSE_LIMIT) return;
    const id = JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body))?.data?.id;
    return typeof id === "string" ? id.slice(0, 200) : undefined;
  } catch {}
}

/** How often the default reporter warns about refused webhooks: a wrong key refuses every one of them. */
const WARN_EVERY_MS = 60_000;

/**
 * The default when no `onRejected` is given: a refusal is never silent (a wrong key or a stale clock refuses
 * every webhook while Telnyx only sees 400s), but a flood is one warning a minute, with the count by reason.
 */
export function warnOfRejections(): RejectionReporter {
  let last = Number.NEGATIVE_INFINITY;
  let since: Record<string, number> = {};
  return (error, { status, eventId }) => {
    if (Date.now() - last < WARN_EVERY_MS) {
      since[error.reason] = (since[error.reason] ?? 0) + 1;
      return;
    }
    last = Date.now();
    console.warn(
      `[@telnyx-voice/webhooks] refused a webhook with ${status} (${error.reason}, event ${eventId}): ${error.message} ` +
        `Refused in the minute before: ${JSON.stringify(since)}. Pass onRejected to new Webhooks() to see each.`,
    );
    since = {};
  };
}

/** Hands a refusal to `onRejected`; what the hook throws is the app's error, reported, never the answer's. */
export function reportRejection(
  onRejected: RejectionReporter,
  error: WebhookVerificationError,
  status: number,
  body: string | Uint8Array | undefined,
  onError: ErrorReporter,
): void {
  try {
    onRejected(error, { status, eventId: eventIdOf(body) });
  } catch (thrown) {
    onError(thrown);
  }
}

/** Reports errors thrown by the user's handler; the default keeps them visible without crashing the server. */
export type ErrorReporter = (error: unknown) => void;

export const reportToConsole: ErrorReporter = (error) => {
  console.error("[@telnyx-voice/webhooks] the event handler threw; answered so that Telnyx retries:", error);
};
