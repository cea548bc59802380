// One buffer per request body, into which each chunk is copied as it arrives. Keeping the chunks themselves
// costs per chunk, not per byte: a body sent as 1-byte chunks (chunked encoding allows it) made every byte a
// Buffer of its own, ~200 to ~600 bytes of memory each, so a few 1 MiB bodies could exhaust the heap.

/** Where a buffer starts when the body's length is not declared: most webhooks fit, and it doubles from there. */
const INITIAL_BYTES = 16 * 1024;

/** The bytes of a body read so far, in one buffer that never grows past `limit`. */
export class BodyBuffer {
  #bytes: Uint8Array;
  #size = 0;
  readonly #limit: number;

  /**
   * `declared` is the request's content-length, when it has one within the limit: the buffer starts at that
   * size, so a body sent whole is copied once. It is a hint only; the chunks decide the length.
   */
  constructor(limit: number, declared?: number) {
    this.#limit = limit;
    const start = declared !== undefined && Number.isSafeInteger(declared) && declared >= 0 ? declared : INITIAL_BYTES;
    this.#bytes = new Uint8Array(Math.min(start, limit));
  }

  /** Bytes appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Copies `chunk` in; false, copying nothing, when it would take the body past the limit. */
  append(chunk: Uint8Array): boolean {
    const needed = this.#size + chunk.byteLength;
    if (needed > this.#limit) return false;
    if (needed > this.#bytes.byteLength) {
      // Doubling keeps the copies to about twice the body in total; the cap keeps the buffer within the limit.
      const grown = new Uint8Array(Math.min(this.#limit, Math.max(needed, this.#bytes.byteLength * 2)));
      grown.set(this.#bytes.subarray(0, this.#size));
      this.#bytes = grown;
    }
    this.#bytes.set(chunk, this.#size);
    this.#size = needed;
    return true;
  }

  /** The body: a view of the bytes appended (the buffer may be longer, never past the limit). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#size);
  }
}
