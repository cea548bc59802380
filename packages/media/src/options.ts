// MediaStreams' options: defaults, ranges, and where the token comes from. Checked once, at construction.
import type { ByteOrder } from "./codecs/codec.js";
import { isPcmCodec } from "./codecs/codec.js";
import { MediaStreamError } from "./errors.js";
import type { PlaybackFormat } from "./playback.js";

export interface MediaStreamsOptions {
  /**
   * The `stream_auth_token` you give Telnyx on dial, answer or streaming_start. Defaults to
   * `TELNYX_STREAM_AUTH_TOKEN`. A connection without it, or with another, is refused (401 before the upgrade on
   * Node). `false` accepts every connection unauthenticated: only where nothing but Telnyx can reach the URL.
   */
  authToken?: string | false | undefined;
  /** Every error this package reports (bad frames, refusals, slow readers, Telnyx's error frames). Default: console.warn. */
  onError?: ((error: MediaStreamError) => void) | undefined;
  /** How long a new connection may take to send `start`, in ms (default 10000). */
  startTimeoutMs?: number | undefined;
  /** The largest frame accepted, in bytes (default 262144: Telnyx's 20 ms frames are under 4 KB). */
  maxFrameBytes?: number | undefined;
  /** Frames of a track that may wait for a missing one before it is declared lost (default 5: 100 ms of audio). */
  reorderWindow?: number | undefined;
  /** The most silence put in place of one run of lost frames, in ms (default 1000). */
  maxGapFillMs?: number | undefined;
  /** The codec and rate play() encodes to, when not the stream's own (see `stream.playbackFormat`). */
  playback?: PlaybackFormat | undefined;
  /** Milliseconds of audio per media frame play() sends (20 to 30000, Telnyx's range; default 20). */
  playChunkMs?: number | undefined;
  /** How far ahead of real time play() sends audio to Telnyx, in ms (default 500); the rest waits here. */
  playAheadMs?: number | undefined;
  /** The most audio play() holds here per stream, in ms (default 120000). */
  maxQueuedPlaybackMs?: number | undefined;
  /** L16's byte order (default "big": RTP's network order, RFC 3551). */
  l16ByteOrder?: ByteOrder | undefined;
}

export interface ResolvedOptions {
  token: string | undefined;
  onError: (error: MediaStreamError) => void;
  startTimeoutMs: number;
  maxFrameBytes: number;
  reorderWindow: number;
  maxGapFillMs: number;
  playback: PlaybackFormat | undefined;
  playChunkMs: number;
  playAheadMs: number;
  maxQueuedPlaybackMs: number;
  l16ByteOrder: ByteOrder;
}

function envToken(): string | undefined {
  // process is absent on Workers and in browsers; Deno and Bun have it.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.TELNYX_STREAM_AUTH_TOKEN;
  return value === undefined || value === "" ? undefined : value;
}

function range(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  integer = true,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new MediaStreamError(
      "invalid_option",
      `${name} must be ${integer ? "an integer " : ""}from ${min} to ${max}; got ${String(value)}.`,
    );
  }
  return value;
}

function defaultOnError(error: MediaStreamError): void {
  console.warn(`[@telnyx-voice/media] ${error.reason}: ${error.message}`);
}

export function resolveOptions(options: MediaStreamsOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    throw new MediaStreamError("invalid_option", "new MediaStreams(options) takes an object (or nothing).");
  }
  let token: string | undefined;
  if (options.authToken === false) token = undefined;
  else {
    token = options.authToken ?? envToken();
    if (token === undefined || token === "") {
      throw new MediaStreamError(
        "missing_auth_token",
        "MediaStreams needs the stream auth token: give Telnyx a stream_auth_token on dial, answer or streaming_start, and " +
          "the same value here as authToken (or in TELNYX_STREAM_AUTH_TOKEN). To accept streams without one, pass " +
          "authToken: false, and only where nothing but Telnyx can reach the stream URL.",
      );
    }
    if (typeof token !== "string" || token.length > 4000) {
      throw new MediaStreamError(
        "invalid_option",
        "authToken must be a string of at most 4000 characters (Telnyx's limit for stream_auth_token).",
      );
    }
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new MediaStreamError("invalid_option", "onError must be a function.");
  }
  const playback = options.playback;
  if (
    playback !== undefined &&
    (typeof playback !== "object" ||
      playback === null ||
      !isPcmCodec(playback.codec) ||
      !Number.isInteger(playback.sampleRate) ||
      playback.sampleRate < 1000 ||
      playback.sampleRate > 192000)
  ) {
    throw new MediaStreamError(
      "invalid_option",
      'playback must be { codec: "PCMU" | "PCMA" | "L16", sampleRate } with an integer sampleRate from 1000 to 192000: the stream_bidirectional_codec and stream_bidirectional_sampling_rate you asked Telnyx for.',
    );
  }
  const byteOrder = options.l16ByteOrder ?? "big";
  if (byteOrder !== "big" && byteOrder !== "little") {
    throw new MediaStreamError("invalid_option", 'l16ByteOrder must be "big" or "little".');
  }
  return {
    token,
    onError: options.onError ?? defaultOnError,
    startTimeoutMs: range("startTimeoutMs", options.startTimeoutMs, 10_000, 100, 300_000),
    maxFrameBytes: range("maxFrameBytes", options.maxFrameBytes, 262_144, 1024, 16 * 1024 * 1024),
    reorderWindow: range("reorderWindow", options.reorderWindow, 5, 0, 100),
    maxGapFillMs: range("maxGapFillMs", options.maxGapFillMs, 1000, 0, 60_000),
    playback: playback ? { codec: playback.codec, sampleRate: playback.sampleRate } : undefined,
    playChunkMs: range("playChunkMs", options.playChunkMs, 20, 20, 30_000),
    playAheadMs: range("playAheadMs", options.playAheadMs, 500, 0, 60_000),
    maxQueuedPlaybackMs: range("maxQueuedPlaybackMs", options.maxQueuedPlaybackMs, 120_000, 1000, 3_600_000),
    l16ByteOrder: byteOrder,
  };
}
