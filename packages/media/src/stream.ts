// One media stream: the frames of one WebSocket after its `start`. Media is put in order per track, decoded
// once, and handed to each reader of audio(); dtmf, mark, error and stop become events; play/mark/clear go
// back through Playback.
import { type AudioChunk, type AudioOptions, AudioReader, type DecodedFrame, type Track } from "./audio.js";
import { decodeBase64 } from "./base64.js";
import { type ByteOrder, bytesPerSample, decodePayload, isPcmCodec, type PcmCodec } from "./codecs/codec.js";
import { Emitter } from "./emitter.js";
import { MediaStreamError } from "./errors.js";
import type {
  DtmfFrame,
  ErrorFrame,
  MarkFrame,
  MediaFormat,
  MediaFrame,
  StartFrame,
  StopFrame,
  TelnyxFrame,
} from "./generated/frames.js";
import { counterValue } from "./parse.js";
import { type MarkResult, Playback, type PlaybackFormat } from "./playback.js";
import { ReorderBuffer, type ReorderStats } from "./reorder.js";

/** Why and how a stream ended: what `stream.ended` resolves with. */
export interface StreamEnd {
  /**
   * "stop": Telnyx sent `stop`. "closed": the socket closed without one (Telnyx or the network dropped it).
   * "app_closed": this side closed it (`stream.close()`, `media.close()`).
   */
  reason: "stop" | "closed" | "app_closed";
  /** The stop frame, for "stop". */
  stop: StopFrame | undefined;
  /** The WebSocket close code and reason, once the socket closed. */
  code: number | undefined;
  closeReason: string | undefined;
}

/** What the `gap` event reports: frames of a track that never came (lost, or later than the reorder window). */
export interface GapInfo {
  track: Track;
  /** The first missing counter (media.chunk, else sequence_number) and how many are missing. */
  from: number;
  missing: number;
  /** Milliseconds of silence put in their place in decoded audio (at most `maxGapFillMs`; 0 for raw codecs). */
  filledMs: number;
}

/** Events of a stream: `stream.on(name, listener)`. */
export interface MediaStreamEvents {
  dtmf: DtmfFrame;
  /** A mark Telnyx returned (also settles the `stream.mark()` it answers). */
  mark: MarkFrame;
  gap: GapInfo;
  /** Bad frames, Telnyx's error frames, slow readers: also given to the `onError` option. */
  error: MediaStreamError;
  stop: StopFrame;
}

/** Counts kept per stream. */
export interface MediaStreamStats extends ReorderStats {
  /** Media frames received (before dropping duplicates). */
  mediaFrames: number;
  /** Frames that were skipped as bad (not JSON, wrong shape, unknown event, bad payload). */
  badFrames: number;
}

/** What a stream needs from its connection and from `MediaStreams`. */
export interface StreamContext {
  send(text: string): void;
  bufferedAmount(): number;
  close(code: number, reason: string): void;
  report(error: MediaStreamError): void;
  settings: StreamSettings;
}

export interface StreamSettings {
  reorderWindow: number;
  maxGapFillMs: number;
  byteOrder: ByteOrder;
  playback: PlaybackFormat | undefined;
  playChunkMs: number;
  playAheadMs: number;
  maxQueuedPlaybackMs: number;
}

/** The reorder buffer of frames that carry only sequence_number (not a track name: tracks never start with NUL). */
const BY_SEQUENCE = "\u0000sequence";

/** Marks a stream holds unsettled at most: each waits for Telnyx to return it. */
const MAX_PENDING_MARKS = 1024;

const SUPPORTED_RATES = "1000 to 192000 Hz (Telnyx uses 8000, 16000, 22050, 24000 and 48000)";

export class MediaStream {
  /** The start frame, as Telnyx sent it (typed from spec/media-stream.yaml). */
  readonly start: StartFrame;
  readonly streamId: string;
  readonly callControlId: string;
  /** The encoding of what Telnyx streams (start.media_format). */
  readonly mediaFormat: MediaFormat;
  /** Resolves (never rejects) when the stream is over, saying why. */
  readonly ended: Promise<StreamEnd>;
  readonly stats: MediaStreamStats;

  readonly #context: StreamContext;
  readonly #events: Emitter<MediaStreamEvents>;
  // Reorder buffers: one per track for frames with media.chunk (a track's own count), one shared by every track
  // (BY_SEQUENCE) for frames with only sequence_number (the stream's count, which other frames take numbers of).
  readonly #buffers = new Map<string, ReorderBuffer<MediaFrame>>();
  // Samples per frame of each track, as last seen: the length of silence a lost frame stands for.
  readonly #frameSamples = new Map<string, number>();
  readonly #readers = new Set<AudioReader>();
  readonly #playback: Playback;
  #playbackFormat: PlaybackFormat | undefined;
  #end: StreamEnd | undefined;
  #resolveEnded!: (end: StreamEnd) => void;

  constructor(start: StartFrame, context: StreamContext) {
    this.start = start;
    this.streamId = start.stream_id;
    this.callControlId = start.start.call_control_id;
    this.mediaFormat = start.start.media_format;
    this.#context = context;
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.#events = new Emitter((error) =>
      context.report(
        new MediaStreamError(
          "handler_failed",
          `A listener of stream ${this.streamId} threw: ${error instanceof Error ? error.message : String(error)}. ` +
            "The frames after it were still delivered; catch errors inside stream.on() listeners.",
          { streamId: this.streamId },
        ),
      ),
    );
    this.stats = { mediaFrames: 0, badFrames: 0, duplicates: 0, late: 0, lostFrames: 0, reordered: 0 };
    const { settings } = context;
    this.#playback = new Playback(
      (text) => context.send(text),
      () => context.bufferedAmount(),
      {
        chunkMs: settings.playChunkMs,
        aheadMs: settings.playAheadMs,
        maxQueuedMs: settings.maxQueuedPlaybackMs,
        byteOrder: settings.byteOrder,
      },
    );
    const own = this.mediaFormat.encoding.toUpperCase();
    this.#playbackFormat =
      settings.playback ?? (isPcmCodec(own) ? { codec: own, sampleRate: this.mediaFormat.sample_rate } : undefined);
  }

  /** The stream's `custom_parameters` (empty when there were none). */
  get customParameters(): Readonly<Record<string, string>> {
    return this.start.start.custom_parameters ?? {};
  }

  /** Whether the stream is over (`ended` has resolved or is about to). */
  get isEnded(): boolean {
    return this.#end !== undefined;
  }

  /**
   * The codec and rate `play()` encodes to. Telnyx does not repeat them on the socket: they are the
   * `stream_bidirectional_codec` / `stream_bidirectional_sampling_rate` of your command. By default the
   * `playback` option of MediaStreams, else the stream's own media_format when it is PCMU, PCMA or L16.
   */
  get playbackFormat(): PlaybackFormat | undefined {
    return this.#playbackFormat;
  }

  set playbackFormat(format: PlaybackFormat) {
    if (
      !format ||
      !isPcmCodec(format.codec) ||
      !Number.isInteger(format.sampleRate) ||
      format.sampleRate < 1000 ||
      format.sampleRate > 192000
    ) {
      throw new MediaStreamError(
        "invalid_option",
        `playbackFormat needs codec "PCMU", "PCMA" or "L16" and an integer sampleRate from ${SUPPORTED_RATES}.`,
        { streamId: this.streamId },
      );
    }
    this.#playbackFormat = { codec: format.codec, sampleRate: format.sampleRate };
  }

  on<K extends keyof MediaStreamEvents>(event: K, listener: (value: MediaStreamEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * The call's audio, in order, as it comes: decoded to 16-bit PCM (PCMU, PCMA, L16) and resampled to
   * `sampleRate` if given; other codecs as raw payloads. Each call is a reader of its own, bounded by its
   * `maxBufferedMs`. Ends when the stream ends.
   */
  audio(options: AudioOptions = {}): AsyncIterableIterator<AudioChunk> {
    const { sampleRate, maxBufferedMs = 2000 } = options;
    if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 192000)) {
      throw new MediaStreamError(
        "invalid_option",
        `audio({ sampleRate }) must be an integer from ${SUPPORTED_RATES}; got ${sampleRate}.`,
        {
          streamId: this.streamId,
        },
      );
    }
    if (!Number.isFinite(maxBufferedMs) || maxBufferedMs < 20 || maxBufferedMs > 600_000) {
      throw new MediaStreamError(
        "invalid_option",
        `audio({ maxBufferedMs }) must be from 20 to 600000 ms; got ${maxBufferedMs}.`,
        {
          streamId: this.streamId,
        },
      );
    }
    const reader: AudioReader = new AudioReader(
      {
        track: options.track ?? "inbound",
        raw: options.encoding === "raw",
        sampleRate,
        maxBufferedMs,
        drop: options.onOverflow === "drop",
        streamId: this.streamId,
      },
      (error) => this.#report(error),
      () => this.#readers.delete(reader),
    );
    if (this.#end) reader.end();
    else this.#readers.add(reader);
    return reader;
  }

  /**
   * Plays 16-bit mono PCM to the call: resampled to the playback rate, encoded to the playback codec, sent in
   * `playChunkMs` frames at most `playAheadMs` ahead of real time. Returns the duration queued, in ms.
   */
  play(pcm: Int16Array, options: { sampleRate: number }): number {
    this.#checkOpen("play");
    const format = this.#playbackFormat;
    if (!format) {
      throw new MediaStreamError(
        "unsupported_codec",
        `Stream ${this.streamId} streams ${this.mediaFormat.encoding}, which this package does not encode. Set ` +
          'stream.playbackFormat (or the playback option) to the stream_bidirectional_codec you asked Telnyx for ("PCMU", ' +
          '"PCMA" or "L16") and its rate, or encode yourself and use playEncoded().',
        { streamId: this.streamId },
      );
    }
    const sampleRate = options?.sampleRate;
    if (!(pcm instanceof Int16Array)) {
      throw new MediaStreamError(
        "invalid_audio",
        "play() takes 16-bit mono PCM as an Int16Array (samples, not bytes).",
        {
          streamId: this.streamId,
        },
      );
    }
    if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 192000) {
      throw new MediaStreamError(
        "invalid_audio",
        `play(pcm, { sampleRate }) needs the PCM's rate, an integer from ${SUPPORTED_RATES}; got ${sampleRate}.`,
        {
          streamId: this.streamId,
        },
      );
    }
    const ms = (pcm.length * 1000) / sampleRate;
    this.#checkRoom(ms);
    return this.#playback.play(pcm, sampleRate, format);
  }

  /** Queues a payload already in the playback codec (G722, OPUS... encoded by you), lasting `durationMs`. */
  playEncoded(payload: Uint8Array, options: { durationMs: number }): void {
    this.#checkOpen("playEncoded");
    const ms = options?.durationMs;
    if (!(payload instanceof Uint8Array) || !Number.isFinite(ms) || ms < 20 || ms > 30_000) {
      throw new MediaStreamError(
        "invalid_audio",
        "playEncoded(payload, { durationMs }) takes the payload's bytes and its length, 20 to 30000 ms (what Telnyx accepts per frame).",
        { streamId: this.streamId },
      );
    }
    this.#checkRoom(ms);
    this.#playback.playEncoded(payload, ms);
  }

  /**
   * Sends a mark after the audio queued so far. Resolves `{ name, played: true }` when Telnyx reports that
   * audio played (at once if nothing was queued), or `{ name, played: false }` when clear() or the stream's end
   * came first. Never rejects once the stream has started; throws `stream_ended` after the end.
   */
  mark(name: string): Promise<MarkResult> {
    this.#checkOpen("mark");
    if (typeof name !== "string" || name.length === 0 || name.length > 256) {
      throw new MediaStreamError("invalid_option", "mark(name) takes a non-empty string of at most 256 characters.", {
        streamId: this.streamId,
      });
    }
    if (this.#playback.pendingMarks >= MAX_PENDING_MARKS) {
      throw new MediaStreamError(
        "invalid_option",
        `Stream ${this.streamId} has ${MAX_PENDING_MARKS} marks pending; await some before sending more (a mark is ` +
          "for knowing when audio has played, one per utterance or so).",
        { streamId: this.streamId },
      );
    }
    return this.#playback.mark(name);
  }

  /**
   * Barge-in: drops the audio queued here, tells Telnyx to drop what it holds (`clear`), and settles every
   * pending mark with `played: false`.
   */
  clear(): void {
    this.#checkOpen("clear");
    this.#playback.clear();
    this.#context.send(`{"event":"clear"}`);
  }

  /** Milliseconds of audio queued here, not yet sent to Telnyx. */
  get queuedPlaybackMs(): number {
    return this.#playback.queuedMs;
  }

  /** Closes the WebSocket (Telnyx then reports streaming.stopped); `ended` resolves with "app_closed". */
  close(): void {
    if (this.#end) return;
    this.#finish({ reason: "app_closed", stop: undefined, code: 1000, closeReason: "closed by the application" });
    this.#context.close(1000, "closed by the application");
  }

  /** @internal A frame after `start`, from the connection. */
  receive(frame: TelnyxFrame): void {
    if (this.#end) return;
    // A number of the stream's count that a frame other than media took: media ordered by it need not wait for it.
    if (frame.event !== "media" && frame.event !== "connected" && frame.sequence_number !== undefined) {
      const key = counterValue(frame.sequence_number);
      if (key !== undefined) this.#deliver(BY_SEQUENCE, this.#buffer(BY_SEQUENCE).skip(key));
    }
    switch (frame.event) {
      case "media":
        this.#media(frame);
        return;
      case "dtmf":
        this.#events.emit("dtmf", frame);
        return;
      case "mark":
        this.#playback.marked(frame.mark.name);
        this.#events.emit("mark", frame);
        return;
      case "error":
        this.#telnyxError(frame);
        return;
      case "stop":
        this.#events.emit("stop", frame);
        this.#finish({ reason: "stop", stop: frame, code: undefined, closeReason: undefined });
        return;
      default:
        this.#report(
          new MediaStreamError(
            "unexpected_frame",
            `A second \`${frame.event}\` frame came on stream ${this.streamId}; it was skipped.`,
            {
              streamId: this.streamId,
            },
          ),
        );
    }
  }

  /** @internal A frame that was skipped as bad. */
  badFrame(error: MediaStreamError): void {
    this.stats.badFrames++;
    this.#report(error);
  }

  /** @internal The socket closed. */
  closed(code: number, reason: string): void {
    if (this.#end) {
      if (this.#end.code === undefined) {
        this.#end.code = code;
        this.#end.closeReason = reason;
      }
      return;
    }
    this.#finish({ reason: "closed", stop: undefined, code, closeReason: reason });
  }

  #finish(end: StreamEnd): void {
    if (this.#end) return;
    this.#end = end;
    for (const [key, buffer] of this.#buffers) this.#deliver(key, buffer.flush());
    for (const reader of this.#readers) reader.end();
    this.#readers.clear();
    this.#playback.end();
    this.#resolveEnded(end);
    this.#events.clear();
  }

  #checkOpen(what: string): void {
    if (this.#end) {
      throw new MediaStreamError(
        "stream_ended",
        `${what}() on stream ${this.streamId}, which has ended (${this.#end.reason}).`,
        {
          streamId: this.streamId,
        },
      );
    }
  }

  #checkRoom(ms: number): void {
    if (this.#playback.wouldOverflow(ms)) {
      throw new MediaStreamError(
        "invalid_audio",
        `Stream ${this.streamId} already has ${Math.round(this.#playback.queuedMs)} ms queued to play; this would pass ` +
          `maxQueuedPlaybackMs (${this.#context.settings.maxQueuedPlaybackMs}). Await a mark() before queuing more, or raise the option.`,
        { streamId: this.streamId },
      );
    }
  }

  #report(error: MediaStreamError): void {
    this.#context.report(error);
    this.#events.emit("error", error);
  }

  #telnyxError(frame: ErrorFrame): void {
    const { code, title, detail } = frame.payload ?? {};
    const said = [code !== undefined ? `code ${code}` : "", title ?? "", detail ?? ""].filter(Boolean).join(": ");
    this.#report(
      new MediaStreamError(
        "telnyx_error",
        `Telnyx reported an error on stream ${this.streamId}${said ? ` (${said})` : ""}. The frame is on the error's \`frame\`; ` +
          "frames this side sent (media, mark, clear) are the usual cause: check the playback codec and rate match the command's.",
        { streamId: this.streamId, frame },
      ),
    );
  }

  #media(frame: MediaFrame): void {
    this.stats.mediaFrames++;
    const track = frame.media.track ?? "inbound";
    const chunk = counterValue(frame.media.chunk);
    const key = chunk ?? counterValue(frame.sequence_number);
    if (key === undefined) {
      this.#deliver(track, [{ kind: "frame", key: 0, item: frame }]);
      return;
    }
    const bufferKey = chunk === undefined ? BY_SEQUENCE : track;
    const buffer = this.#buffer(bufferKey);
    const before = buffer.stats;
    const counts = {
      duplicates: before.duplicates,
      late: before.late,
      lostFrames: before.lostFrames,
      reordered: before.reordered,
    };
    this.#deliver(bufferKey, buffer.push(key, frame));
    const after = buffer.stats;
    this.stats.duplicates += after.duplicates - counts.duplicates;
    this.stats.late += after.late - counts.late;
    this.stats.lostFrames += after.lostFrames - counts.lostFrames;
    this.stats.reordered += after.reordered - counts.reordered;
  }

  #buffer(key: string): ReorderBuffer<MediaFrame> {
    let buffer = this.#buffers.get(key);
    if (!buffer) {
      // The stream's count goes on from the start frame's; a track's own count starts afresh.
      const afterStart = counterValue(this.start.sequence_number);
      buffer = new ReorderBuffer(this.#context.settings.reorderWindow, {
        gaps: key !== BY_SEQUENCE,
        next: key === BY_SEQUENCE && afterStart !== undefined ? afterStart + 1 : undefined,
      });
      this.#buffers.set(key, buffer);
    }
    return buffer;
  }

  /** Frames (each to its own track) and gaps (only from a track's own buffer, `bufferKey` being that track). */
  #deliver(bufferKey: string, released: ReturnType<ReorderBuffer<MediaFrame>["push"]>): void {
    const codec = this.mediaFormat.encoding.toUpperCase();
    const rate = this.mediaFormat.sample_rate;
    const pcm = isPcmCodec(codec) ? codec : undefined;
    for (const entry of released) {
      if (entry.kind === "gap") {
        const track = bufferKey;
        // Until a frame says otherwise, a frame is 20 ms (the size Telnyx streams in).
        const frameSamples = this.#frameSamples.get(track) ?? Math.round(rate / 50);
        const most = Math.round((rate * this.#context.settings.maxGapFillMs) / 1000);
        const fill = pcm ? Math.min(entry.count * frameSamples, most) : 0;
        this.#events.emit("gap", { track, from: entry.from, missing: entry.count, filledMs: (fill * 1000) / rate });
        if (fill > 0) {
          this.#toReaders({
            track,
            codec,
            codecRate: rate,
            samples: new Int16Array(fill),
            payload: undefined,
            filled: true,
            sequenceNumber: undefined,
            chunk: undefined,
            timestamp: undefined,
          });
        }
        continue;
      }
      const frame = entry.item;
      const track = frame.media.track ?? "inbound";
      const payload = decodeBase64(frame.media.payload);
      if (!payload) {
        this.badFrame(
          new MediaStreamError(
            "invalid_payload",
            `A media frame on stream ${this.streamId} has a payload that is not base64; it was skipped (and counts as lost audio).`,
            { streamId: this.streamId },
          ),
        );
        continue;
      }
      const samples = pcm ? decodePayload(pcm as PcmCodec, payload, this.#context.settings.byteOrder) : undefined;
      if (pcm && payload.length >= bytesPerSample(pcm))
        this.#frameSamples.set(track, Math.floor(payload.length / bytesPerSample(pcm)));
      this.#toReaders({
        track,
        codec,
        codecRate: rate,
        samples,
        payload,
        filled: false,
        sequenceNumber: counterValue(frame.sequence_number),
        chunk: counterValue(frame.media.chunk),
        timestamp: counterValue(frame.media.timestamp),
      });
    }
  }

  #toReaders(frame: DecodedFrame): void {
    for (const reader of this.#readers) if (reader.track === frame.track) reader.deliver(frame);
  }
}
