// What `stream.audio()` yields, and the per-reader queue behind it: each reader decodes, resamples and buffers
// on its own, so a slow reader cannot hold up another, and each is bounded by its own `maxBufferedMs`.
import type { PcmCodec } from "./codecs/codec.js";
import { Resampler } from "./codecs/resample.js";
import { MediaStreamError } from "./errors.js";

/** Which side of the call a media frame carries: "inbound" is what the far end says, "outbound" what it hears. */
export type Track = "inbound" | "outbound" | (string & {});

interface ChunkBase {
  track: Track;
  /** The frame's `sequence_number`, `media.chunk` and `media.timestamp`, when it had them (absent for silence we filled). */
  sequenceNumber: number | undefined;
  chunk: number | undefined;
  timestamp: number | undefined;
  /** Chunks this reader dropped just before this one (only with `onOverflow: "drop"`). */
  droppedBefore: number;
}

/** Decoded audio: 16-bit signed samples, mono, at `sampleRate`. */
export interface PcmAudioChunk extends ChunkBase {
  kind: "pcm";
  encoding: "pcm16";
  /** The codec it was decoded from. */
  codec: PcmCodec;
  sampleRate: number;
  samples: Int16Array;
  /** True when this is silence standing in for frames that never came (see the stream's `gap` event). */
  filled: boolean;
}

/** A payload as Telnyx sent it, for codecs this package does not decode (G722, OPUS, AMR-WB), or when asked for raw. */
export interface RawAudioChunk extends ChunkBase {
  kind: "raw";
  /** `media_format.encoding` of the stream. */
  codec: string;
  /** `media_format.sample_rate` of the stream. */
  sampleRate: number;
  payload: Uint8Array;
  filled: false;
}

export type AudioChunk = PcmAudioChunk | RawAudioChunk;

/** Options of `stream.audio()`. */
export interface AudioOptions {
  /** "pcm16" (default): decoded where the codec allows (PCMU, PCMA, L16), raw otherwise. "raw": payloads as sent. */
  encoding?: "pcm16" | "raw" | undefined;
  /** Hz to resample decoded audio to (8000, 16000, 24000, 48000 or any from 1000 to 192000); default: the stream's. */
  sampleRate?: number | undefined;
  /** Which track to read; default "inbound". */
  track?: Track | undefined;
  /** How far behind this reader may fall, in ms of audio, before `onOverflow` applies; default 2000. */
  maxBufferedMs?: number | undefined;
  /** "error" (default): the next read throws MediaStreamError `slow_consumer` and the reader ends. "drop": the oldest chunks go. */
  onOverflow?: "error" | "drop" | undefined;
}

/** A frame of one track, in order, decoded once for every reader. */
export interface DecodedFrame {
  track: Track;
  codec: string;
  codecRate: number;
  samples: Int16Array | undefined;
  payload: Uint8Array | undefined;
  filled: boolean;
  sequenceNumber: number | undefined;
  chunk: number | undefined;
  timestamp: number | undefined;
}

// Telnyx sends 20 ms frames; a raw chunk's length in ms is not known without decoding it, so it counts as 20.
const RAW_CHUNK_MS = 20;

export class AudioReader implements AsyncIterableIterator<AudioChunk> {
  readonly track: Track;
  readonly #raw: boolean;
  readonly #rate: number | undefined;
  readonly #maxBufferedMs: number;
  readonly #drop: boolean;
  readonly #onFail: (error: MediaStreamError) => void;
  readonly #detach: () => void;
  readonly #streamId: string;
  #resampler: Resampler | undefined;
  #queue: { chunk: AudioChunk; ms: number }[] = [];
  #bufferedMs = 0;
  #dropped = 0;
  #failed: MediaStreamError | undefined;
  #done = false;
  #waiting: ((result: IteratorResult<AudioChunk>) => void)[] = [];
  #waitingFail: ((error: unknown) => void)[] = [];
  #last: DecodedFrame | undefined;

  constructor(
    options: {
      track: Track;
      raw: boolean;
      sampleRate: number | undefined;
      maxBufferedMs: number;
      drop: boolean;
      streamId: string;
    },
    onFail: (error: MediaStreamError) => void,
    detach: () => void,
  ) {
    this.track = options.track;
    this.#raw = options.raw;
    this.#rate = options.sampleRate;
    this.#maxBufferedMs = options.maxBufferedMs;
    this.#drop = options.drop;
    this.#streamId = options.streamId;
    this.#onFail = onFail;
    this.#detach = detach;
  }

  /** Called by the stream with each frame of this reader's track, in order. */
  deliver(frame: DecodedFrame): void {
    if (this.#done || this.#failed) return;
    this.#last = frame;
    if (this.#raw || !frame.samples) {
      if (frame.filled || !frame.payload) return; // silence is only filled in decoded audio
      this.#enqueue(
        {
          kind: "raw",
          track: frame.track,
          codec: frame.codec,
          sampleRate: frame.codecRate,
          payload: frame.payload,
          filled: false,
          sequenceNumber: frame.sequenceNumber,
          chunk: frame.chunk,
          timestamp: frame.timestamp,
          droppedBefore: 0,
        },
        RAW_CHUNK_MS,
      );
      return;
    }
    const rate = this.#rate ?? frame.codecRate;
    let samples = frame.samples;
    if (rate !== frame.codecRate) {
      if (!this.#resampler || this.#resampler.fromRate !== frame.codecRate)
        this.#resampler = new Resampler(frame.codecRate, rate);
      samples = this.#resampler.push(samples);
    }
    if (samples.length === 0) return;
    this.#enqueuePcm(frame, samples, rate);
  }

  /** The stream ended: what the resampler still holds, then done. */
  end(): void {
    if (this.#done) return;
    const last = this.#last;
    if (this.#resampler && last && !this.#failed) {
      const tail = this.#resampler.flush();
      if (tail.length > 0) this.#enqueuePcm({ ...last, filled: false }, tail, this.#resampler.toRate);
    }
    this.#done = true;
    this.#wake();
  }

  #enqueuePcm(frame: DecodedFrame, samples: Int16Array, rate: number): void {
    this.#enqueue(
      {
        kind: "pcm",
        encoding: "pcm16",
        track: frame.track,
        codec: frame.codec as PcmCodec,
        sampleRate: rate,
        samples,
        filled: frame.filled,
        sequenceNumber: frame.sequenceNumber,
        chunk: frame.chunk,
        timestamp: frame.timestamp,
        droppedBefore: 0,
      },
      (samples.length * 1000) / rate,
    );
  }

  #enqueue(chunk: AudioChunk, ms: number): void {
    if (this.#dropped > 0) {
      chunk.droppedBefore = this.#dropped;
      this.#dropped = 0;
    }
    const waiter = this.#waiting.shift();
    if (waiter) {
      this.#waitingFail.shift();
      waiter({ value: chunk, done: false });
      return;
    }
    this.#queue.push({ chunk, ms });
    this.#bufferedMs += ms;
    if (this.#bufferedMs <= this.#maxBufferedMs) return;
    if (this.#drop) {
      while (this.#bufferedMs > this.#maxBufferedMs && this.#queue.length > 1) {
        const dropped = this.#queue.shift() as { chunk: AudioChunk; ms: number };
        this.#bufferedMs -= dropped.ms;
        // What was dropped before the dropped chunk is carried on to the next one, so the count is never lost.
        this.#dropped += 1 + dropped.chunk.droppedBefore;
      }
      const head = this.#queue[0];
      if (head && this.#dropped > 0) {
        head.chunk.droppedBefore += this.#dropped;
        this.#dropped = 0;
      }
      return;
    }
    // Told at once (the stream's onError and `error` event) and at its next read; its buffer is let go now.
    this.#failed = new MediaStreamError(
      "slow_consumer",
      `A reader of stream.audio() on stream ${this.#streamId} fell more than ${this.#maxBufferedMs} ms of audio behind and was ` +
        "stopped. Read the iterator without awaiting slow work in the loop (hand chunks to a queue of your own), raise " +
        'maxBufferedMs, or pass onOverflow: "drop" to skip audio instead.',
      { streamId: this.#streamId },
    );
    this.#queue = [];
    this.#bufferedMs = 0;
    this.#detach();
    this.#onFail(this.#failed);
  }

  #wake(): void {
    while (this.#waiting.length > 0) {
      const resolve = this.#waiting.shift() as (result: IteratorResult<AudioChunk>) => void;
      const reject = this.#waitingFail.shift() as (error: unknown) => void;
      if (this.#failed) {
        reject(this.#failed);
        this.#failed = undefined;
        this.#done = true;
      } else resolve({ value: undefined, done: true });
    }
  }

  /** Milliseconds of audio waiting for this reader. */
  get bufferedMs(): number {
    return this.#bufferedMs;
  }

  next(): Promise<IteratorResult<AudioChunk>> {
    const head = this.#queue.shift();
    if (head) {
      this.#bufferedMs -= head.ms;
      return Promise.resolve({ value: head.chunk, done: false });
    }
    if (this.#failed) {
      const error = this.#failed;
      this.#failed = undefined;
      this.#done = true;
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting.push(resolve);
      this.#waitingFail.push(reject);
    });
  }

  return(): Promise<IteratorResult<AudioChunk>> {
    this.#queue = [];
    this.#bufferedMs = 0;
    this.#done = true;
    this.#detach();
    this.#wake();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<AudioChunk> {
    return this;
  }
}
