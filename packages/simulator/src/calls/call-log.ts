// An append-only log of what a simulator did per call (events emitted, delivery attempts), in order, from which a
// forgotten call's entries are dropped: compacted once enough calls were forgotten, or when the log is read.
export class CallLog<T extends { callControlId: string }> {
  private entries: T[] = [];
  private readonly forgotten = new Set<string>();

  push(entry: T): void {
    this.entries.push(entry);
  }

  /** Drops the entries of this call (now, or at the next compaction). */
  forget(callControlId: string): void {
    this.forgotten.add(callControlId);
    // Batched: one pass per 256 forgotten calls keeps a long run's cost linear.
    if (this.forgotten.size >= 256) this.compact();
  }

  /** The entries, in order. The array is replaced on compaction: read it again rather than keeping it. */
  get view(): readonly T[] {
    if (this.forgotten.size > 0) this.compact();
    return this.entries;
  }

  get size(): number {
    return this.view.length;
  }

  private compact(): void {
    this.entries = this.entries.filter((e) => !this.forgotten.has(e.callControlId));
    this.forgotten.clear();
  }
}
