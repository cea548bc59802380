// Telnyx's dials-per-second (DPS) limit, as Telnyx checks it: not a per-second bucket but a 5-second rolling
// sum. A dial is refused (429, code 90103) when the dials accepted in the trailing 5 seconds already number
// 5 x dialsPerSecond; bursts above the rate pass while the 5-second total stays within it. Only accepted dials
// count, so a refused client is not locked out by its own retries.
import { telnyxError } from "../errors.js";

const WINDOW_MS = 5000;

export class DialRateLimit {
  /** Acceptance times within the trailing window, oldest first: at most 5 x dialsPerSecond of them. */
  private readonly accepted: number[] = [];
  private readonly limit: number;
  refused = 0;

  constructor(private readonly dialsPerSecond: number) {
    this.limit = Math.max(1, Math.floor(dialsPerSecond * (WINDOW_MS / 1000)));
  }

  /** Counts a dial now, or throws the 429 Telnyx answers when the window is full. */
  admit(now = Date.now()): void {
    while (this.accepted.length > 0 && this.accepted[0]! <= now - WINDOW_MS) this.accepted.shift();
    if (this.accepted.length >= this.limit) {
      this.refused++;
      const retryAfterSeconds = Math.max(1, Math.ceil((this.accepted[0]! + WINDOW_MS - now) / 1000));
      throw telnyxError(
        "dialRateLimited",
        `More than ${this.limit} dials in 5 seconds (the dials-per-second limit is ${this.dialsPerSecond}, ` +
          "summed over a rolling 5-second window). Pace your dials.",
        undefined,
        { "retry-after": String(retryAfterSeconds) },
      );
    }
    this.accepted.push(now);
  }
}
