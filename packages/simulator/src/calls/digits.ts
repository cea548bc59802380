// The keys a far end presses: which characters, how many at once, and how many a call may hold for gathers
// to come. Each digit pressed is an event (call.dtmf.received) and a string kept on the call, so without a
// bound one press of 200,000 digits stalled the simulator for a second and cost 240 MB, and many small
// presses on a call with no gather grew its typed-ahead digits for as long as it lived.
import { quote } from "../errors.js";

/**
 * The most digits one press (`pressDigits`, `press_digits`, `send_dtmf`) or one script (`inboundCall({ digits })`,
 * `farEnd(number, { digits })`) may carry. A gather takes at most 128 digits (the spec's `maximum_digits`
 * maximum), so 256 fills two of the longest gathers with their terminating keys: more than anyone presses at
 * once, while a longer string is a runaway script.
 */
export const MAX_DIGITS_AT_ONCE = 256;

/**
 * The most digits a call may hold for its next gathers (pressed while it rang or no gather ran, or left over
 * when a gather ended mid-press): four full presses. Past that nothing is taking them, so a press is refused
 * rather than kept.
 */
export const MAX_DIGITS_WAITING = 4 * MAX_DIGITS_AT_ONCE;

const DTMF = /^[0-9A-D*#]*$/;

/** What is wrong with `digits` as one press or script ("may ..."), or undefined when nothing is. */
export function digitsProblem(digits: string): string | undefined {
  if (!DTMF.test(digits)) return `may contain only 0-9, A-D, * and #, got ${quote(digits)}`;
  if (digits.length > MAX_DIGITS_AT_ONCE) {
    return (
      `may hold at most ${MAX_DIGITS_AT_ONCE} digits at once, got ${digits.length}: a gather takes at most 128, ` +
      "so press longer input in several parts"
    );
  }
  return undefined;
}

/** Why a press was refused; nothing of it was pressed. */
export type DigitsRefusal = "call_ended" | "invalid_digits" | "too_many_waiting";

/** Thrown by `SimCall.pressDigits` when the press is refused: `reason` says why, the message what to do. */
export class DigitsRefused extends RangeError {
  override name = "DigitsRefused";
  constructor(
    readonly reason: DigitsRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** Throws `too_many_waiting` unless `call` can hold `count` more digits for its next gathers. */
export function checkRoomForDigits(
  call: { callControlId: string; pendingDigits: string; typedAhead: string },
  count: number,
): void {
  const waiting = call.pendingDigits.length + call.typedAhead.length;
  if (waiting + count > MAX_DIGITS_WAITING) {
    throw new DigitsRefused(
      "too_many_waiting",
      `Call ${quote(call.callControlId)} already holds ${waiting} digits for its next gathers; ${count} more would pass ` +
        `the ${MAX_DIGITS_WAITING} a call may hold. Start a gather to take them before pressing more.`,
    );
  }
}
