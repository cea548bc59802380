// `occurred_at` to milliseconds since the epoch, keeping the fraction: Telnyx stamps events to the
// microsecond ("2018-02-02T22:25:27.521992Z"), and two events of a call within one millisecond must still
// sort in the order they occurred. Date.parse would drop the digits past the millisecond.

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds (with fraction) since the epoch, or `undefined` when `value` is not an ISO 8601 date-time. */
export function occurredAtMs(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = ISO.exec(value);
  if (!match) return undefined;
  const whole = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(whole)) return undefined;
  return match[2] ? whole + Number(`0.${match[2]}`) * 1000 : whole;
}
