// One timer for every open stream: it fires on a 20 ms grid and each stream sends the frames due by then, so
// 100 streams cost 50 wake-ups a second, not 5,000. A stream starts on the next grid point; a tick that comes
// late (a busy event loop) sends the frames it missed, up to MAX_CATCH_UP_FRAMES, as the audio is real time.
import type { NetworkTimers } from "./network.js";

export const FRAME_MS = 20;

/** Past this many frames behind (200 ms), a stream skips ahead rather than sending a burst. */
export const MAX_CATCH_UP_FRAMES = 10;

export interface Ticking {
  tick(now: number): void;
}

export class MediaClock {
  readonly #timers: NetworkTimers;
  readonly #sessions = new Set<Ticking>();
  #origin = 0;
  #ticks = 0;
  #timer: ReturnType<NetworkTimers["after"]>;
  #running = false;
  readonly #now: () => number;

  constructor(timers: NetworkTimers, now: () => number = () => performance.now()) {
    this.#timers = timers;
    this.#now = now;
  }

  /** Adds a stream; returns the grid time its frame 1 is counted from. */
  add(session: Ticking): number {
    if (this.#sessions.size === 0 && !this.#running) {
      this.#origin = this.#now();
      this.#ticks = 0;
      this.#schedule();
    }
    this.#sessions.add(session);
    return this.#origin + this.#ticks * FRAME_MS;
  }

  delete(session: Ticking): void {
    this.#sessions.delete(session);
    if (this.#sessions.size === 0 && this.#timer !== undefined) {
      this.#timers.cancel(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(): void {
    const next = this.#origin + (this.#ticks + 1) * FRAME_MS;
    this.#timer = this.#timers.after(Math.max(0, next - this.#now()), () => this.#run());
  }

  #run(): void {
    this.#timer = undefined;
    const now = this.#now();
    // A timer may fire a fraction of a millisecond before its time: counted as on time.
    this.#ticks = Math.max(this.#ticks + 1, Math.floor((now - this.#origin + 1) / FRAME_MS));
    // A stream added while this tick runs is counted from this grid; the next tick is scheduled once, below.
    this.#running = true;
    try {
      for (const session of this.#sessions) session.tick(now);
    } finally {
      this.#running = false;
    }
    if (this.#sessions.size > 0) this.#schedule();
  }
}
