// Puts one track's media frames back in order. Frames are keyed by a counter (media.chunk, else
// sequence_number); a frame that is not the next one waits, at most `window` of them at a time. When more than
// `window` frames wait, the missing ones are declared lost (a gap, when keys count only these frames) and the
// waiting ones are released. A frame
// older than the next expected one is a duplicate (its key was released) or late (its key was declared lost),
// and is dropped either way: audio already handed on cannot be taken back.

export type Released<T> = { kind: "frame"; key: number; item: T } | { kind: "gap"; from: number; count: number };

export interface ReorderStats {
  duplicates: number;
  late: number;
  lostFrames: number;
  reordered: number;
}

const LOST_MEMORY = 256;

export class ReorderBuffer<T> {
  readonly #window: number;
  // Whether a key that never came is a gap (a lost frame): true for media.chunk, which counts a track's frames;
  // false for sequence_number, which every frame of the stream (dtmf, mark...) takes a number of.
  readonly #gaps: boolean;
  readonly #pending = new Map<number, T>();
  // Keys that other frames took (a dtmf's sequence_number): passed over without waiting (bounded).
  readonly #taken = new Set<number>();
  #next: number | undefined;
  // Keys declared lost recently, to tell a late frame from a duplicate (bounded).
  readonly #lost: number[] = [];
  readonly stats: ReorderStats = { duplicates: 0, late: 0, lostFrames: 0, reordered: 0 };

  /** `next`: the key expected first, when known (else the first frame may wait for ones that overtook it). */
  constructor(window: number, options: { gaps: boolean; next?: number | undefined } = { gaps: true }) {
    this.#window = window;
    this.#gaps = options.gaps;
    this.#next = options.next;
  }

  /** Adds a frame; returns what can be released now, in order. */
  push(key: number, item: T): Released<T>[] {
    const next = this.#next;
    if ((next !== undefined && key < next) || this.#pending.has(key)) {
      if (this.#lost.includes(key)) this.stats.late++;
      else this.stats.duplicates++;
      return [];
    }
    if (next !== undefined && key !== next) this.stats.reordered++;
    this.#pending.set(key, item);
    if (next === undefined) {
      // Counters start at 1; a first frame above that may have overtaken earlier ones: wait for the window.
      if (key <= 1) this.#next = key;
      else if (this.#pending.size > this.#window) this.#next = Math.min(...this.#pending.keys());
      else return [];
    }
    return this.#release(false);
  }

  /** A key another kind of frame took: nothing will come for it, so it is not waited for. */
  skip(key: number): Released<T>[] {
    if (this.#next !== undefined && key < this.#next) return [];
    this.#taken.add(key);
    if (this.#taken.size > LOST_MEMORY) this.#taken.delete(this.#taken.values().next().value as number);
    return this.#next === undefined ? [] : this.#release(false);
  }

  /** Releases every waiting frame (the stream ended), gaps included. */
  flush(): Released<T>[] {
    if (this.#pending.size === 0) return [];
    if (this.#next === undefined) this.#next = Math.min(...this.#pending.keys());
    return this.#release(true);
  }

  #release(all: boolean): Released<T>[] {
    const out: Released<T>[] = [];
    for (;;) {
      let next = this.#next as number;
      for (;;) {
        if (this.#pending.has(next)) {
          out.push({ kind: "frame", key: next, item: this.#pending.get(next) as T });
          this.#pending.delete(next);
        } else if (!this.#taken.delete(next)) break;
        next++;
      }
      this.#next = next;
      if (this.#pending.size === 0 || (!all && this.#pending.size <= this.#window)) return out;
      const first = Math.min(...this.#pending.keys());
      const count = first - next;
      if (this.#gaps) {
        out.push({ kind: "gap", from: next, count });
        this.stats.lostFrames += count;
      }
      for (let k = Math.max(next, first - LOST_MEMORY); k < first; k++) this.#lost.push(k);
      if (this.#lost.length > LOST_MEMORY) this.#lost.splice(0, this.#lost.length - LOST_MEMORY);
      this.#next = first;
    }
  }
}
