// What the far end of a call does, decided by its number so tests can pick an outcome without any extra API:
// the last four digits select it (documented in the README's "Outcomes by number"). The dialled number decides
// whether an outbound call is answered and by whom (a person or an answering machine); the far end's number
// (the dialled `to` of an outbound call, the caller's `from` of an inbound one) decides whether its recordings
// can be saved.
import type { HangupCause } from "./types.js";

export type DialOutcome = { kind: "answer" } | { kind: "hangup"; cause: HangupCause; sipCause: string };

export const OUTCOME_RULES: ReadonlyArray<{ suffix: string; outcome: DialOutcome; description: string }> = [
  { suffix: "0486", outcome: { kind: "hangup", cause: "user_busy", sipCause: "486" }, description: "busy" },
  { suffix: "0408", outcome: { kind: "hangup", cause: "timeout", sipCause: "408" }, description: "no answer" },
  { suffix: "0404", outcome: { kind: "hangup", cause: "not_found", sipCause: "404" }, description: "unknown number" },
  { suffix: "0603", outcome: { kind: "hangup", cause: "call_rejected", sipCause: "603" }, description: "rejected" },
];

/**
 * Who picks up an answered outbound call, as answering machine detection hears it: a person, an answering
 * machine (a greeting, then a beep), or audio the detector cannot classify.
 */
export type AnsweredBy = "human" | "machine" | "not_sure";

export const ANSWERED_BY_RULES: ReadonlyArray<{ suffix: string; answeredBy: AnsweredBy; description: string }> = [
  { suffix: "0700", answeredBy: "machine", description: "an answering machine: a greeting, then a beep" },
  { suffix: "0701", answeredBy: "not_sure", description: "audio answering machine detection cannot classify" },
];

/** The far end's number ending in this makes every recording of the call fail (`call.recording.error`). */
export const RECORDING_ERROR_SUFFIX = "0500";

/** Digits of the number (or of a SIP URI's user part): "+1 (202) 555-0486" -> "12025550486". */
export function digitsOf(number: string): string {
  return (
    number
      .replace(/^sips?:/i, "")
      .split("@")[0]
      ?.replace(/\D/g, "") ?? ""
  );
}

export function outcomeFor(to: string): DialOutcome {
  const digits = digitsOf(to);
  return OUTCOME_RULES.find((rule) => digits.endsWith(rule.suffix))?.outcome ?? { kind: "answer" };
}

/** Who answers a call to `to` (when the number rule above lets it be answered): a person unless a rule says so. */
export function answeredByFor(to: string): AnsweredBy {
  const digits = digitsOf(to);
  return ANSWERED_BY_RULES.find((rule) => digits.endsWith(rule.suffix))?.answeredBy ?? "human";
}

export const recordingFailsFor = (farEnd: string): boolean => digitsOf(farEnd).endsWith(RECORDING_ERROR_SUFFIX);
