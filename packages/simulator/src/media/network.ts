// The path of one stream's media frames to the app: straight through by default; with the media delivery
// options, each frame may be duplicated, held back to follow the next one, or delayed by jitter, as packets are
// on a real network. Choices are drawn per (seed, stream, frame) with the webhook delivery's generator, so a
// seed replays the same disorder whatever else runs.
import { eventRandom } from "../delivery/chance.js";
import type { Timer } from "../calls/types.js";
import type { ResolvedMediaDelivery } from "./options.js";

export interface NetworkTimers {
  after(ms: number, fn: () => void): Timer | undefined;
  cancel(timer: Timer | undefined): void;
}

export class FrameNetwork {
  readonly #options: ResolvedMediaDelivery;
  readonly #streamIndex: number;
  readonly #deliver: (text: string) => void;
  readonly #timers: NetworkTimers;
  readonly #plain: boolean;
  /** A frame held back to go after the next one (at most one at a time). */
  #held: string | undefined;
  /** Frames waiting out their jitter, by timer; each at most jitterMs, so at most jitterMs / 20 + 1 of them. */
  readonly #delayed = new Map<Timer, string>();

  constructor(
    options: ResolvedMediaDelivery,
    streamIndex: number,
    deliver: (text: string) => void,
    timers: NetworkTimers,
  ) {
    this.#options = options;
    this.#streamIndex = streamIndex;
    this.#deliver = deliver;
    this.#timers = timers;
    this.#plain = options.jitterMs === 0 && options.reorderRate === 0 && options.duplicateRate === 0;
  }

  /** Sends media frame number `index` (1-based, per stream). */
  send(text: string, index: number): void {
    if (this.#plain) {
      this.#deliver(text);
      return;
    }
    const random = eventRandom(this.#options.seed, this.#streamIndex, index);
    const copies = random() < this.#options.duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const hold = this.#held === undefined && random() < this.#options.reorderRate;
      const delay = this.#options.jitterMs > 0 ? Math.floor(random() * (this.#options.jitterMs + 1)) : 0;
      if (hold) {
        this.#held = text;
        continue;
      }
      this.#out(text, delay);
      const held = this.#held;
      this.#held = undefined;
      if (held !== undefined) this.#out(held, delay);
    }
  }

  /** Sends everything still held or delayed, in the order it was due (the stream is stopping). */
  flush(): void {
    for (const [timer, text] of this.#delayed) {
      this.#timers.cancel(timer);
      this.#deliver(text);
    }
    this.#delayed.clear();
    if (this.#held !== undefined) this.#deliver(this.#held);
    this.#held = undefined;
  }

  /** Drops what is still on its way (the socket is gone). */
  drop(): void {
    for (const timer of this.#delayed.keys()) this.#timers.cancel(timer);
    this.#delayed.clear();
    this.#held = undefined;
  }

  #out(text: string, delay: number): void {
    if (delay === 0) {
      this.#deliver(text);
      return;
    }
    const timer = this.#timers.after(delay, () => {
      if (timer) this.#delayed.delete(timer);
      this.#deliver(text);
    });
    if (timer) this.#delayed.set(timer, text);
  }
}
