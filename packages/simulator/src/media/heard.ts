// What the far end of a call heard of the app's streams: the audio played, in the order it played, kept up to
// MAX_HEARD_MS (the oldest goes first past that, and is counted), so a long call that nobody reads holds steady.
import { resample } from "@telnyx-voice/media/codecs";

/** The most audio a call keeps of what its far end heard: the last two minutes. */
export const MAX_HEARD_MS = 120_000;

/** What `SimCall.receivedAudio()` returns. */
export interface ReceivedAudio {
  /** 16-bit mono PCM: the app's audio as played to the far end, the pauses between plays left out. */
  pcm: Int16Array;
  sampleRate: number;
  /** Milliseconds of `pcm`. */
  ms: number;
  /** Milliseconds played before what `pcm` holds, dropped to keep within {@link MAX_HEARD_MS}. */
  droppedMs: number;
}

export class Heard {
  #rate: number | undefined;
  #chunks: Int16Array[] = [];
  #length = 0;
  #dropped = 0;

  /** Appends audio played at `sampleRate`; the first audio sets the rate the rest is kept at. */
  append(samples: Int16Array, sampleRate: number): void {
    if (samples.length === 0) return;
    this.#rate ??= sampleRate;
    const kept = sampleRate === this.#rate ? samples : resample(samples, sampleRate, this.#rate);
    this.#chunks.push(kept);
    this.#length += kept.length;
    const cap = (MAX_HEARD_MS * this.#rate) / 1000;
    while (this.#length > cap) {
      const first = this.#chunks.shift() as Int16Array;
      this.#length -= first.length;
      this.#dropped += first.length;
    }
  }

  read(sampleRate?: number): ReceivedAudio {
    const rate = this.#rate ?? sampleRate ?? 8000;
    const pcm = new Int16Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      pcm.set(chunk, at);
      at += chunk.length;
    }
    const out = sampleRate === undefined || sampleRate === rate ? pcm : resample(pcm, rate, sampleRate);
    const outRate = sampleRate ?? rate;
    return {
      pcm: out,
      sampleRate: outRate,
      ms: (out.length * 1000) / outRate,
      droppedMs: (this.#dropped * 1000) / rate,
    };
  }
}
