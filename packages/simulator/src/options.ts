// What `startSimulator` accepts, and the check that turns a bad option into a clear error before anything starts.

import type { DeliveryOptions, RedeliveryOptions } from "./delivery/options.js";
import type { FaultOptions } from "./http/faults.js";
import { type MediaDeliveryOptions, resolveMediaDelivery } from "./media/options.js";
import { webhookUrlProblem } from "./schema/prose-checks.js";

/** Where the simulator reports what a user should know (a receiver not listening, a risky bind, its own bugs). */
export interface SimulatorLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface SimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number | undefined;
  /** Interface to bind (default 127.0.0.1: the simulator is not meant to be reachable from elsewhere). */
  host?: string | undefined;
  /** Where webhooks go for calls whose dial has no `webhook_url` and whose application is unknown. */
  webhookUrl?: string | undefined;
  /** The bearer key clients must send (default {@link DEFAULT_API_KEY}). */
  apiKey?: string | undefined;
  /** Ring time before an outbound call is answered or turned down (default 100 ms). */
  answerDelayMs?: number | undefined;
  /** How long speak and playback last (default 50 ms). */
  mediaDurationMs?: number | undefined;
  /** Longest a gather waits for digits nobody scripted (default 5000 ms). */
  maxGatherWaitMs?: number | undefined;
  /** An unanswered inbound call is cancelled by the caller after this long (default 60000 ms). */
  inboundRingTimeoutMs?: number | undefined;
  /**
   * Answering machine detection: from the answer until the detector decides, which is also how long a person's
   * greeting lasts (default 50 ms). See the README's "Answering machine detection".
   */
  machineDetectionMs?: number | undefined;
  /** An answering machine's greeting goes on this long after the detection, then it beeps (default 100 ms). */
  machineGreetingMs?: number | undefined;
  /**
   * From the end of a recording (record_stop, its limit, the hangup) to `call.recording.saved` or
   * `call.recording.error`, and from that to `call.recording.transcription.saved` (default 50 ms).
   */
  recordingSavedDelayMs?: number | undefined;
  /** Longest a media stream's WebSocket handshake may take before `streaming.failed` (default 5000 ms). */
  streamConnectTimeoutMs?: number | undefined;
  /** Injected failures: per route, or at random with a seed. */
  faults?: FaultOptions | undefined;
  /** Webhook redelivery (attempts, backoff, timeout). */
  redelivery?: RedeliveryOptions | undefined;
  /**
   * Delivery as Telnyx does it: `{ duplicateRate, concurrency, jitterMs, seed }`. Default: polite delivery, each
   * call's events once, in order, one at a time.
   */
  delivery?: DeliveryOptions | undefined;
  /**
   * Media frames to the app as a real network may deliver them: `{ jitterMs, reorderRate, duplicateRate, seed }`.
   * Default: every 20 ms frame on time, in order, once.
   */
  media?: MediaDeliveryOptions | undefined;
  /**
   * How long an ended call is kept (default 600000 ms, 10 minutes, as Telnyx keeps a call's status): after that
   * `GET /calls/{id}` is a 404, and the call, its events, its delivery records and its dial `command_id` are
   * dropped, so a long-running simulator holds steady memory.
   */
  endedCallRetentionMs?: number | undefined;
  /**
   * Telnyx's dials-per-second limit, off by default: checked as Telnyx does, over a rolling 5 seconds, so a dial
   * is refused (429, code 90103, `retry-after`) once `5 x dialsPerSecond` dials were accepted in the trailing 5 s.
   * Telnyx's default is 30. `sim.dialsRefused` counts the refusals.
   */
  dialsPerSecond?: number | undefined;
  /** Signing keys (base64 raw Ed25519); a fresh pair is generated when omitted. */
  keyPair?: { publicKey: string; privateKey: string } | undefined;
  /**
   * A file that keeps the signing key pair across restarts: read when it exists, else made and written
   * (permissions 0600), so `TELNYX_PUBLIC_KEY` stays valid after a restart. Ignored when `keyPair` is given.
   */
  keyFile?: string | undefined;
  /**
   * Compile every request validator on a background thread once listening (default false: each compiles on
   * first use, 5-300 ms once per process). Worth it for a long-running simulator that sits idle before its
   * first client (the CLI turns it on); for one started right before its commands the extra thread competed
   * for CPU and made the demo's first commands slower, hence off by default.
   */
  precompileValidators?: boolean | undefined;
  /** Where warnings and internal errors go (default `console`). Never given a key. */
  logger?: SimulatorLogger | undefined;
}

/** Telnyx keeps a call's status for 10 minutes after it ends; so does the simulator, by default. */
export const DEFAULT_ENDED_CALL_RETENTION_MS = 10 * 60 * 1000;

/** The key the simulator accepts when none is configured. Not a secret: it only opens a local simulator. */
export const DEFAULT_API_KEY = "KEY_SIMULATOR";

export function checkNonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${name} must be a number >= 0, got ${String(value)}`);
  }
}

export function validateOptions(options: SimulatorOptions): void {
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${options.port}`);
  }
  if (options.webhookUrl !== undefined) {
    const problem = webhookUrlProblem(options.webhookUrl);
    if (problem) throw new TypeError(`webhookUrl ${problem}`);
  }
  if (options.apiKey !== undefined && (typeof options.apiKey !== "string" || options.apiKey.trim() === "")) {
    throw new TypeError("apiKey must be a non-empty string");
  }
  checkNonNegative("answerDelayMs", options.answerDelayMs);
  checkNonNegative("mediaDurationMs", options.mediaDurationMs);
  checkNonNegative("maxGatherWaitMs", options.maxGatherWaitMs);
  checkNonNegative("inboundRingTimeoutMs", options.inboundRingTimeoutMs);
  checkNonNegative("machineDetectionMs", options.machineDetectionMs);
  checkNonNegative("machineGreetingMs", options.machineGreetingMs);
  checkNonNegative("recordingSavedDelayMs", options.recordingSavedDelayMs);
  checkNonNegative("streamConnectTimeoutMs", options.streamConnectTimeoutMs);
  checkNonNegative("endedCallRetentionMs", options.endedCallRetentionMs);
  resolveMediaDelivery(options.media);
  const dps = options.dialsPerSecond;
  if (dps !== undefined && !(typeof dps === "number" && Number.isFinite(dps) && dps > 0)) {
    throw new RangeError(`dialsPerSecond must be a number > 0 (Telnyx's default is 30), got ${String(dps)}`);
  }
}

/** 127.0.0.0/8, ::1, localhost: only this machine can reach the simulator. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
