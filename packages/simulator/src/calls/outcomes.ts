// What the far end does with an outbound call, decided by the dialed number so tests can pick an outcome
// without any extra API: the last four digits of `to` select it (documented in the README).
import type { HangupCause } from "./types.js";

export type DialOutcome = { kind: "answer" } | { kind: "hangup"; cause: HangupCause; sipCause: string };

export const OUTCOME_RULES: ReadonlyArray<{ suffix: string; outcome: DialOutcome; description: string }> = [
  { suffix: "0486", outcome: { kind: "hangup", cause: "user_busy", sipCause: "486" }, description: "busy" },
  { suffix: "0408", outcome: { kind: "hangup", cause: "timeout", sipCause: "408" }, description: "no answer" },
  { suffix: "0404", outcome: { kind: "hangup", cause: "not_found", sipCause: "404" }, description: "unknown number" },
  { suffix: "0603", outcome: { kind: "hangup", cause: "call_rejected", sipCause: "603" }, description: "rejected" },
];

/** Digits of the number (or of a SIP URI's user part); "+1 (202) 555-0486" -> busy. */
export function outcomeFor(to: string): DialOutcome {
  const digits = to.replace(/^sip:/i, "").split("@")[0]?.replace(/\D/g, "") ?? "";
  return OUTCOME_RULES.find((rule) => digits.endsWith(rule.suffix))?.outcome ?? { kind: "answer" };
}
