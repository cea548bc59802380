// The two audio queues of a stream, both consumed 20 ms at a time by the media clock: what the far end says
// (sent to the app on the inbound track) and what the app plays (heard by the far end), with the app's marks in
// line. Each has a bound in milliseconds; what would pass it is refused, never kept.

/** PCM waiting to be sent, in chunks, taken `n` samples at a time. */
export class SampleQueue {
  #chunks: Int16Array[] = [];
  #offset = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(samples: Int16Array): void {
    if (samples.length === 0) return;
    this.#chunks.push(samples);
    this.#length += samples.length;
  }

  /** Up to `n` samples, as many as are queued, in order. */
  take(n: number): Int16Array {
    const count = Math.min(n, this.#length);
    const out = new Int16Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.#chunks[0] as Int16Array;
      const part = Math.min(count - filled, chunk.length - this.#offset);
      out.set(chunk.subarray(this.#offset, this.#offset + part), filled);
      filled += part;
      this.#offset += part;
      if (this.#offset === chunk.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    this.#length -= count;
    return out;
  }

  clear(): void {
    this.#chunks = [];
    this.#offset = 0;
    this.#length = 0;
  }
}

type PlayItem = { kind: "audio"; samples: SampleQueue } | { kind: "mark"; name: string };

/** What one 20 ms tick of playback played, and the marks whose audio before them has now played. */
export interface Played {
  samples: Int16Array;
  marks: string[];
}

/**
 * The app's audio queued at the far end, played at real-time pace, with its marks: a mark is due once the audio
 * queued before it has played; `clear()` drops the audio and gives back the marks still queued.
 */
export class PlayQueue {
  #items: PlayItem[] = [];
  #samples = 0;
  #marks = 0;

  /** Samples queued (what has not played yet). */
  get queuedSamples(): number {
    return this.#samples;
  }

  get queuedMarks(): number {
    return this.#marks;
  }

  get empty(): boolean {
    return this.#items.length === 0;
  }

  push(samples: Int16Array): void {
    if (samples.length === 0) return;
    const last = this.#items[this.#items.length - 1];
    if (last?.kind === "audio") last.samples.push(samples);
    else {
      const queue = new SampleQueue();
      queue.push(samples);
      this.#items.push({ kind: "audio", samples: queue });
    }
    this.#samples += samples.length;
  }

  /** Queues a mark after the audio queued so far; false when nothing is queued (the mark is due at once). */
  mark(name: string): boolean {
    if (this.#samples === 0) return false;
    this.#items.push({ kind: "mark", name });
    this.#marks++;
    return true;
  }

  /** Plays up to `n` samples; marks reached on the way (or right after) are returned as played. */
  play(n: number): Played {
    const parts: Int16Array[] = [];
    const marks: string[] = [];
    let want = n;
    for (;;) {
      const head = this.#items[0];
      if (!head) break;
      if (head.kind === "mark") {
        marks.push(head.name);
        this.#marks--;
        this.#items.shift();
        continue;
      }
      if (want === 0) break;
      const part = head.samples.take(want);
      parts.push(part);
      want -= part.length;
      this.#samples -= part.length;
      if (head.samples.length === 0) this.#items.shift();
    }
    if (parts.length === 1) return { samples: parts[0] as Int16Array, marks };
    const samples = new Int16Array(n - want);
    let at = 0;
    for (const part of parts) {
      samples.set(part, at);
      at += part.length;
    }
    return { samples, marks };
  }

  /** Drops the queued audio; returns the queued marks, in order. */
  clear(): string[] {
    const marks = this.#items.filter((i) => i.kind === "mark").map((i) => (i as { name: string }).name);
    this.#items = [];
    this.#samples = 0;
    this.#marks = 0;
    return marks;
  }
}
