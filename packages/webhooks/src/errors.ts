/** Why a webhook (or the `Webhooks` configuration) was rejected. */
export type WebhookVerificationReason =
  /** No public key given and `TELNYX_PUBLIC_KEY` is not set. */
  | "missing_public_key"
  /**
   * The public key is not base64 of 32 bytes, or those bytes are not the canonical encoding of an Ed25519
   * point of prime order (small-order and mixed-order points let forged signatures verify).
   */
  | "invalid_public_key"
  /** `telnyx-timestamp` or `telnyx-signature-ed25519` is absent. */
  | "missing_header"
  /** `telnyx-timestamp` is not an integer number of Unix seconds. */
  | "invalid_timestamp"
  /** `telnyx-timestamp` is older than the tolerance: a late delivery or a replay. */
  | "timestamp_too_old"
  /** `telnyx-timestamp` is further in the future than the tolerance. */
  | "timestamp_too_new"
  /** `telnyx-signature-ed25519` is not base64, or does not decode to 64 bytes. */
  | "invalid_signature_format"
  /** The signature does not verify for this body, timestamp and public key. */
  | "signature_mismatch"
  /** The raw body was not a string or bytes (for instance an already-parsed object). */
  | "invalid_body"
  /** The verified body is not JSON (only `unwrap` parses it). */
  | "invalid_json"
  /** The verified body is JSON but not a Telnyx event (`data.event_type` missing). */
  | "invalid_event"
  /** Handlers: the body is larger than `maxBodyBytes` (413). */
  | "body_too_large"
  /** Handlers: the body was not complete within `bodyTimeoutMs` (408). */
  | "body_timeout"
  /** Node handler: a JSON body parser consumed the body before the handler could see the raw bytes. */
  | "body_already_parsed";

/** The one error this package throws for a rejected webhook; `reason` says why, `message` how to fix it. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  readonly reason: WebhookVerificationReason;

  constructor(reason: WebhookVerificationReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A reminder appended wherever a mangled body is the likely cause. */
export const RAW_BODY_HINT =
  "Pass the raw request body exactly as received (string or bytes): JSON that was parsed and re-serialised " +
  "does not match the signature. In Express, mount no body parser on this route (or express.raw), not express.json.";

/** Why the router could not hand an event to your handler within `maxWaitMs`. */
export type WebhookBusyReason =
  /** Another copy of the event is being handled (here or on another instance); its outcome is not known yet. */
  | "event_in_progress"
  /** The event's call was busy: another of its events held it, or an earlier one had not been handled yet. */
  | "call_busy"
  /** This delivery lost its claim on the event (the process stalled, or the store was unreachable, for a lease). */
  | "lease_lost"
  /** The store failed or did not answer in time before the handler started: nothing ran, nothing was claimed for sure. */
  | "store_unavailable"
  /** This instance is draining (a deploy): it claims nothing new, so that another instance handles the event. */
  | "draining";

/**
 * Thrown by `router.handle` when an event could not be handled yet, and answered by the handlers with 503
 * and `Retry-After`, so that Telnyx delivers the event again: never 200 before the outcome is known. Not an
 * error of your handler: the handlers do not report it to `onError`.
 */
export class WebhookBusyError extends Error {
  override readonly name = "WebhookBusyError";
  readonly reason: WebhookBusyReason;
  /** Seconds the sender should wait before delivering again (the `Retry-After` header). */
  readonly retryAfterSeconds: number;

  constructor(reason: WebhookBusyReason, message: string, retryAfterSeconds = 1) {
    super(message);
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
