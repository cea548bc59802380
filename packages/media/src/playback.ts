// What the application plays to the call: PCM -> the playback codec -> media frames of `chunkMs`, sent to
// Telnyx no more than `aheadMs` ahead of real time (the rest waits here, where clear() can drop it at once),
// with marks kept in line with the audio they follow.
//
// Telnyx accepts RTP media chunks of "20 milliseconds to 30 seconds of audio" ([asyncapi] Bidirectional
// Media); it says nothing of pacing for RTP (only MP3 frames are limited to one a second). We send 20 ms
// frames by default, the size Telnyx itself streams in, and keep at most 500 ms queued at Telnyx's end.
import { type ByteOrder, encodePayload, type PcmCodec } from "./codecs/codec.js";
import { resample } from "./codecs/resample.js";
import { encodeBase64 } from "./base64.js";

/** What `stream.mark()` resolves with. */
export interface MarkResult {
  name: string;
  /**
   * true when Telnyx reported the audio before the mark played; false when `clear()` (or the stream's end)
   * settled it first: the audio before it was cut or never sent.
   */
  played: boolean;
}

/** The codec and rate Telnyx expects back: `stream_bidirectional_codec` and `stream_bidirectional_sampling_rate`. */
export interface PlaybackFormat {
  codec: PcmCodec;
  sampleRate: number;
}

export interface PlaybackLimits {
  chunkMs: number;
  aheadMs: number;
  maxQueuedMs: number;
  byteOrder: ByteOrder;
}

interface PendingMark {
  name: string;
  resolve: (result: MarkResult) => void;
}

type Item = { kind: "media"; text: string; ms: number } | { kind: "mark"; mark: PendingMark };

// Names of marks that clear() settled and Telnyx has yet to return, remembered at most.
const MAX_STALE_NAMES = 1024;

// ws and browsers buffer what cannot be written yet; past this much unsent, the pump waits for the socket.
const MAX_SOCKET_BUFFER = 1 << 20;

export class Playback {
  readonly #send: (text: string) => void;
  readonly #buffered: () => number;
  readonly #limits: PlaybackLimits;
  #queue: Item[] = [];
  #queuedMs = 0;
  // Wall-clock time (ms) at which what was sent so far will have played, as far as we can tell.
  #playedUntil = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  // Marks sent to Telnyx and not yet returned, in order.
  #sentMarks: PendingMark[] = [];
  // Per name: returns still to come from Telnyx for marks already settled by clear().
  readonly #stale = new Map<string, number>();
  #ended = false;

  constructor(send: (text: string) => void, buffered: () => number, limits: PlaybackLimits) {
    this.#send = send;
    this.#buffered = buffered;
    this.#limits = limits;
  }

  /** Milliseconds of audio waiting here (not yet sent to Telnyx). */
  get queuedMs(): number {
    return this.#queuedMs;
  }

  /** Encodes and queues `pcm`; returns its duration in ms at the playback rate. */
  play(pcm: Int16Array, sampleRate: number, format: PlaybackFormat): number {
    const samples = sampleRate === format.sampleRate ? pcm : resample(pcm, sampleRate, format.sampleRate);
    const perChunk = Math.round((format.sampleRate * this.#limits.chunkMs) / 1000);
    // Telnyx takes no chunk under 20 ms: the last one is padded with silence to that length.
    const minimum = Math.round(format.sampleRate / 50);
    for (let offset = 0; offset < samples.length; offset += perChunk) {
      let part = samples.subarray(offset, Math.min(offset + perChunk, samples.length));
      if (part.length < minimum) {
        const padded = new Int16Array(minimum);
        padded.set(part);
        part = padded;
      }
      this.#queueMedia(
        encodePayload(format.codec, part, this.#limits.byteOrder),
        (part.length * 1000) / format.sampleRate,
      );
    }
    this.#pump();
    return (samples.length * 1000) / format.sampleRate;
  }

  /** Queues a payload already in the playback codec, of `ms` milliseconds. */
  playEncoded(payload: Uint8Array, ms: number): void {
    this.#queueMedia(payload, ms);
    this.#pump();
  }

  /** Whether `ms` more would exceed `maxQueuedMs`. */
  wouldOverflow(ms: number): boolean {
    return this.#queuedMs + ms > this.#limits.maxQueuedMs;
  }

  /** Marks queued here or sent and not yet returned. */
  get pendingMarks(): number {
    let queued = 0;
    for (const item of this.#queue) if (item.kind === "mark") queued++;
    return queued + this.#sentMarks.length;
  }

  mark(name: string): Promise<MarkResult> {
    return new Promise((resolve) => {
      this.#queue.push({ kind: "mark", mark: { name, resolve } });
      this.#pump();
    });
  }

  /** Telnyx returned a mark. */
  marked(name: string): void {
    const stale = this.#stale.get(name) ?? 0;
    if (stale > 0) {
      // The return of a mark that clear() already settled.
      if (stale === 1) this.#stale.delete(name);
      else this.#stale.set(name, stale - 1);
      return;
    }
    const index = this.#sentMarks.findIndex((mark) => mark.name === name);
    if (index < 0) return; // not one of ours (or already settled by the stream's end)
    const [mark] = this.#sentMarks.splice(index, 1);
    mark?.resolve({ name, played: true });
  }

  /** Drops the audio queued here, settles every pending mark with played: false; the caller sends `clear`. */
  clear(): void {
    for (const item of this.#queue)
      if (item.kind === "mark") item.mark.resolve({ name: item.mark.name, played: false });
    for (const mark of this.#sentMarks) {
      this.#stale.set(mark.name, (this.#stale.get(mark.name) ?? 0) + 1);
      // Telnyx returns marks a clear settled; should it not, the oldest names are forgotten, not kept for ever.
      if (this.#stale.size > MAX_STALE_NAMES) this.#stale.delete(this.#stale.keys().next().value as string);
      mark.resolve({ name: mark.name, played: false });
    }
    this.#queue = [];
    this.#queuedMs = 0;
    this.#sentMarks = [];
    this.#playedUntil = 0;
    this.#stopTimer();
  }

  /** The stream ended: nothing more is sent, every pending mark settles with played: false. */
  end(): void {
    if (this.#ended) return;
    this.clear();
    this.#ended = true;
  }

  #queueMedia(payload: Uint8Array, ms: number): void {
    const text = `{"event":"media","media":{"payload":"${encodeBase64(payload)}"}}`;
    this.#queue.push({ kind: "media", text, ms });
    this.#queuedMs += ms;
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #pump(): void {
    if (this.#ended || this.#timer !== undefined) return;
    for (;;) {
      const item = this.#queue[0];
      if (!item) return;
      if (item.kind === "mark") {
        this.#queue.shift();
        this.#sentMarks.push(item.mark);
        this.#send(`{"event":"mark","mark":{"name":${JSON.stringify(item.mark.name)}}}`);
        continue;
      }
      const now = Date.now();
      if (this.#playedUntil < now) this.#playedUntil = now;
      const ahead = this.#playedUntil - now;
      if (ahead >= this.#limits.aheadMs || this.#buffered() > MAX_SOCKET_BUFFER) {
        // Wake when the lead falls back under aheadMs (or, for a full socket buffer, a frame later).
        const wait = ahead >= this.#limits.aheadMs ? ahead - this.#limits.aheadMs + 1 : 20;
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, wait);
        // A paced stream should not keep a Node process alive by itself.
        (this.#timer as { unref?: () => void }).unref?.();
        return;
      }
      this.#queue.shift();
      this.#queuedMs -= item.ms;
      this.#playedUntil += item.ms;
      this.#send(item.text);
    }
  }
}
