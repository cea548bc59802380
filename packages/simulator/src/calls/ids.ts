// Identifiers shaped like Telnyx's: call_control_id `v3:<base64url>`, leg and session ids are UUIDs,
// application ids are 19-digit numeric strings.
import { randomBytes, randomUUID } from "node:crypto";

export const uuid = (): string => randomUUID();

export const newCallControlId = (): string => `v3:${randomBytes(24).toString("base64url")}`;

let applicationCounter = 0n;
export const newApplicationId = (): string =>
  (1293384261075731000n + BigInt(Date.now() % 100000) * 1000n + ++applicationCounter).toString();

/**
 * `occurred_at` as Telnyx writes it, to the microsecond (`2018-02-02T22:25:27.521992Z`), strictly increasing
 * per simulator: events emitted in one millisecond (digits pressed at once) still say which came first, so a
 * receiver that orders a call's events by `occurred_at` puts them in the order they happened.
 */
export class EventClock {
  #last = 0;

  next(): string {
    const micros = Math.max(Date.now() * 1000, this.#last + 1);
    this.#last = micros;
    const iso = new Date(Math.floor(micros / 1000)).toISOString();
    return `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, "0")}Z`;
  }
}
