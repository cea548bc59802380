/** Why a media stream, a frame, or the `MediaStreams` configuration was refused or failed. */
export type MediaStreamErrorReason =
  /** No `authToken` given, `TELNYX_STREAM_AUTH_TOKEN` unset, and unauthenticated streams not allowed. */
  | "missing_auth_token"
  /** An option is out of its range or of the wrong type. */
  | "invalid_option"
  /** A connection came without the stream auth token, or with another one: refused before the upgrade (401). */
  | "unauthorized"
  /** A frame is not JSON. */
  | "invalid_json"
  /** A frame is JSON but not of the shape spec/media-stream.yaml gives its `event`. */
  | "invalid_frame"
  /** A frame's `event` is none Telnyx documents (reported once per stream and event name; the frame is skipped). */
  | "unknown_event"
  /** A binary WebSocket message: Telnyx sends JSON text frames. */
  | "binary_frame"
  /** A message larger than `maxFrameBytes`. */
  | "frame_too_large"
  /** A media frame whose payload is not base64. */
  | "invalid_payload"
  /** A frame that may not come yet: media before `start`, a second `start`, `start` before the token. */
  | "unexpected_frame"
  /** No `start` frame within `startTimeoutMs` of the connection: the socket is closed. */
  | "start_timeout"
  /** Telnyx sent an `error` frame; the error's `frame` holds it. */
  | "telnyx_error"
  /** A reader of `stream.audio()` fell further behind than its `maxBufferedMs`. */
  | "slow_consumer"
  /** `play()`, `mark()` or `clear()` on a stream that has ended. */
  | "stream_ended"
  /** `play()` was given something that is not 16-bit PCM at a supported rate. */
  | "invalid_audio"
  /** `play()` on a stream whose playback codec this package does not encode (G722, OPUS, AMR-WB). */
  | "unsupported_codec"
  /** The function given to `media.handle()` threw or rejected. */
  | "handler_failed"
  /** `media.streamFor()` saw no stream for that call within its `timeoutMs`. */
  | "stream_wait_timeout"
  /** `media.nodeUpgrade()` outside Node (this build has no `ws`): use `media.accept(socket)`. */
  | "node_only";

/**
 * The one error this package throws or reports: `reason` says what went wrong, `message` how to fix it. Never
 * carries the stream auth token, nor a frame's payload.
 */
export class MediaStreamError extends Error {
  override readonly name = "MediaStreamError";
  readonly reason: MediaStreamErrorReason;
  /** The stream it happened on, when known. */
  readonly streamId: string | undefined;
  /** For `telnyx_error`: the error frame Telnyx sent. */
  readonly frame: unknown;

  constructor(
    reason: MediaStreamErrorReason,
    message: string,
    details: { streamId?: string | undefined; frame?: unknown } = {},
  ) {
    super(message);
    this.reason = reason;
    this.streamId = details.streamId;
    this.frame = details.frame;
  }
}
