// What the far end of a call heard of the app's streams: the audio played, in the order it played, kept up to
// MAX_HEARD_MS (the oldest goes first past that, and is counted), so a long call that nobody reads holds steady;
// and all calls together at most MAX_HEARD_TOTAL_BYTES (the calls that heard first lose their oldest audio first),
// since ended calls are kept, and read, for `endedCallRetentionMs`.
import { resample } from "@telnyx-voice/media/codecs";

/** The most audio a call keeps of what its far end heard: the last two minutes. */
export const MAX_HEARD_MS = 120_000;

/** The most every call's heard audio may take together: 64 MiB (35 minutes at 16 kHz). */
export const MAX_HEARD_TOTAL_BYTES = 64 * 1024 * 1024;

/** The simulator-wide bound: every call's record, oldest first, and their bytes together. */
export class HeardBudget {
  readonly owners = new Set<Heard>();
  bytes = 0;
  constructor(readonly cap = MAX_HEARD_TOTAL_BYTES) {}

  /** Drops the oldest audio, from the calls that heard first, until within the cap. */
  trim(): void {
    for (const owner of this.owners) {
      if (this.bytes <= this.cap) return;
      owner.dropUntil(() => this.bytes <= this.cap);
    }
  }
}

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
  readonly #budget: HeardBudget;
  #rate: number | undefined;
  #chunks: Int16Array[] = [];
  #length = 0;
  #dropped = 0;

  constructor(budget: HeardBudget) {
    this.#budget = budget;
    budget.owners.add(this);
  }

  /** The call is forgotten: its audio leaves the budget. */
  release(): void {
    this.#budget.bytes -= this.#length * 2;
    this.#budget.owners.delete(this);
    this.#chunks = [];
    this.#length = 0;
  }

  /** Drops this record's oldest chunks while `enough()` is false. */
  dropUntil(enough: () => boolean): void {
    while (!enough() && this.#chunks.length > 0) this.#dropOldest();
  }

  #dropOldest(): void {
    const first = this.#chunks.shift() as Int16Array;
    this.#length -= first.length;
    this.#dropped += first.length;
    this.#budget.bytes -= first.length * 2;
  }

  /** Appends audio played at `sampleRate`; the first audio sets the rate the rest is kept at. */
  append(samples: Int16Array, sampleRate: number): void {
    if (samples.length === 0) return;
    this.#rate ??= sampleRate;
    const kept = sampleRate === this.#rate ? samples : resample(samples, sampleRate, this.#rate);
    this.#chunks.push(kept);
    this.#length += kept.length;
    this.#budget.bytes += kept.length * 2;
    const cap = (MAX_HEARD_MS * this.#rate) / 1000;
    while (this.#length > cap) this.#dropOldest();
    if (this.#budget.bytes > this.#budget.cap) this.#budget.trim();
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
