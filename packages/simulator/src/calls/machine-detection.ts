// Answering machine detection (`answering_machine_detection` on dial or transfer), as Telnyx reports it after the
// answer. The far end is simulated from the dialled number (outcomes.ts): a person says a greeting that lasts
// `machineDetectionMs`; an answering machine plays one that lasts `machineDetectionMs + machineGreetingMs` and then
// beeps; a `not_sure` number is audio the detector cannot classify. Every time below counts from the answer:
//
// Detection (`call.machine.detection.ended`, or `call.machine.premium.detection.ended` for `premium`):
//   - not_sure number: `not_sure` at min(machineDetectionMs, total_analysis_time_millis);
//   - else the detector decides at min(machineDetectionMs, greeting_duration_millis): `machine` when the greeting
//     outlasted greeting_duration_millis (so a person with a long greeting too), else the far end's kind;
//   - unless total_analysis_time_millis runs out first: `not_sure` at total_analysis_time_millis.
//   Premium says `human_residence` for a person.
// Greeting (only after a `machine` result; `detect` sends none):
//   - greeting_end, detect_words, detect_beep: the end of the greeting is awaited for greeting_total_analysis_time_millis
//     from the detection: the machine's beep within it gives `beep_detected` at the beep; a person taken for a
//     machine falls silent at machineDetectionMs, which gives `ended` (greeting_end, detect_words); nothing by the
//     end of the wait gives `not_sure` then (greeting_end, detect_words). detect_beep reports only a beep.
//   - premium: `call.machine.premium.greeting.ended` with `beep_detected` at the beep, only when there is one.
// All of it is cancelled when the call ends first.
import type { CallEventType } from "@telnyx-voice/types";
import type { MachineDetectionSettings } from "./media-settings.js";
import { answeredByFor } from "./outcomes.js";
import type { CallRecord, Timer } from "./types.js";

/** What detection needs from the engine: its events and the call's timers (cancelled by the hangup). */
export interface DetectionHost {
  emit(call: CallRecord, eventType: CallEventType, extra: object): void;
  callTimer(call: CallRecord, ms: number, fn: () => void): Timer | undefined;
}

export interface DetectionTiming {
  /** From the answer until the detector hears the end of a person's greeting (its decision, by default). */
  machineDetectionMs: number;
  /** How much longer a machine's greeting goes on after that, before its beep. */
  machineGreetingMs: number;
}

type GreetingResult = "beep_detected" | "ended" | "not_sure";

export function startMachineDetection(
  host: DetectionHost,
  call: CallRecord,
  settings: MachineDetectionSettings,
  timing: DetectionTiming,
): void {
  const answeredBy = answeredByFor(call.to);
  const premium = settings.mode === "premium";
  const greetingEndsAt = timing.machineDetectionMs;
  const beepAt = answeredBy === "machine" ? timing.machineDetectionMs + timing.machineGreetingMs : undefined;
  // A person stops talking at the end of the greeting; a machine talks until its beep.
  const silenceAt = answeredBy === "human" ? greetingEndsAt : undefined;

  let decidedAt: number;
  let result: "human" | "machine" | "not_sure";
  if (answeredBy === "not_sure") {
    decidedAt = Math.min(greetingEndsAt, settings.totalAnalysisMs);
    result = "not_sure";
  } else {
    decidedAt = Math.min(greetingEndsAt, settings.greetingDurationMs);
    result = settings.greetingDurationMs < greetingEndsAt ? "machine" : answeredBy;
    if (settings.totalAnalysisMs < decidedAt) {
      decidedAt = settings.totalAnalysisMs;
      result = "not_sure";
    }
  }

  host.callTimer(call, decidedAt, () => {
    if (premium) {
      host.emit(call, "call.machine.premium.detection.ended", {
        result: result === "human" ? "human_residence" : result,
      });
    } else {
      host.emit(call, "call.machine.detection.ended", { result });
    }
    if (result !== "machine" || settings.mode === "detect") return;
    const greeting = premium ? premiumGreeting(beepAt) : standardGreeting(settings, decidedAt, beepAt, silenceAt);
    if (!greeting) return;
    const type = premium ? "call.machine.premium.greeting.ended" : "call.machine.greeting.ended";
    host.callTimer(call, greeting.at - decidedAt, () => host.emit(call, type, { result: greeting.result }));
  });
}

function premiumGreeting(beepAt: number | undefined): { at: number; result: "beep_detected" } | undefined {
  return beepAt === undefined ? undefined : { at: beepAt, result: "beep_detected" };
}

function standardGreeting(
  settings: MachineDetectionSettings,
  decidedAt: number,
  beepAt: number | undefined,
  silenceAt: number | undefined,
): { at: number; result: GreetingResult } | undefined {
  const waitEndsAt = decidedAt + settings.greetingTotalAnalysisMs;
  if (beepAt !== undefined && beepAt <= waitEndsAt) return { at: Math.max(beepAt, decidedAt), result: "beep_detected" };
  if (settings.mode === "detect_beep") return undefined;
  if (silenceAt !== undefined && silenceAt <= waitEndsAt)
    return { at: Math.max(silenceAt, decidedAt), result: "ended" };
  return { at: waitEndsAt, result: "not_sure" };
}
