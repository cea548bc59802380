// Call recordings (record_start, and `record: "record-from-answer"` on dial or answer), as Telnyx reports them:
// the file is saved after the recording ends, so `call.recording.saved` (or `call.recording.error`) comes
// `recordingSavedDelayMs` after record_stop, the `max_length` or `timeout_secs` limit, or the call's hangup (then
// after `call.hangup`). With `transcription: true`, `call.recording.transcription.saved` follows the saved event
// another `recordingSavedDelayMs` later. The events carry the fields the spec declares for them (the emitter
// keeps only those): `call.recording.saved` has `call_leg_id` and no `call_control_id`.
import type { CallEventType } from "@telnyx-voice/types";
import { payloadEnum } from "../schema/events.js";
import { uuid } from "./ids.js";
import type { RecordingSettings } from "./media-settings.js";
import { recordingFailsFor } from "./outcomes.js";
import type { ActiveRecording, CallRecord, Timer } from "./types.js";

/** What recordings need from the engine: its events, the call's timers, and work that outlives the call. */
export interface RecordingHost {
  emit(call: CallRecord, eventType: CallEventType, extra: object): void;
  callTimer(call: CallRecord, ms: number, fn: () => void): Timer | undefined;
  cancelCallTimer(call: CallRecord, timer: Timer | undefined): void;
  linger(call: CallRecord, ms: number, fn: () => void): void;
}

/** What every simulated transcription says (there is no audio to transcribe). */
export const SIMULATED_TRANSCRIPTION_TEXT = "This is a simulated transcription of the call recording.";

/**
 * The `reason` of `call.recording.error` when the far end's number ends in 0500, from the spec's enum: the one
 * that is not about custom storage credentials or backends, which the simulator has no notion of.
 */
export const recordingErrorReason = (): string | undefined =>
  payloadEnum("call.recording.error", "reason").find((reason) => /internal/i.test(reason));

/** The other party: the dialled number of an outbound call, the caller of an inbound one. */
export const farEndOf = (call: CallRecord): string => (call.direction === "outgoing" ? call.to : call.from);

export class Recordings {
  constructor(
    private readonly host: RecordingHost,
    private readonly savedDelayMs: number,
  ) {}

  start(call: CallRecord, id: string, settings: RecordingSettings): void {
    const recording: ActiveRecording = { id, startedAt: new Date().toISOString(), settings, limits: [] };
    call.recording = recording;
    const stopAt = (ms: number) => {
      const timer = this.host.callTimer(call, ms, () => {
        if (call.recording === recording) this.stop(call);
      });
      if (timer) recording.limits.push(timer);
    };
    // `max_length` (seconds, 0 = none): the recording stops when it is that long.
    if (settings.maxLengthSecs > 0) stopAt(settings.maxLengthSecs * 1000);
    // `timeout_secs` counts silence once speech was heard. The simulated far end speaks as the recording starts
    // and is silent after, so the recording stops `timeout_secs` after it started.
    if (settings.timeoutSecs > 0) stopAt(settings.timeoutSecs * 1000);
  }

  /** Ends the running recording; the file is saved (or fails) `savedDelayMs` later, even after the hangup. */
  stop(call: CallRecord): void {
    const recording = call.recording;
    if (!recording) return;
    call.recording = undefined;
    for (const timer of recording.limits) this.host.cancelCallTimer(call, timer);
    const endedAt = new Date().toISOString();
    this.host.linger(call, this.savedDelayMs, () => this.save(call, recording, endedAt));
  }

  private save(call: CallRecord, recording: ActiveRecording, endedAt: string): void {
    if (recordingFailsFor(farEndOf(call))) {
      this.host.emit(call, "call.recording.error", { reason: recordingErrorReason() });
      return;
    }
    const { channels, format, transcription } = recording.settings;
    const url = `https://simulator.invalid/recordings/${recording.id}.${format}`;
    this.host.emit(call, "call.recording.saved", {
      channels,
      recording_started_at: recording.startedAt,
      recording_ended_at: endedAt,
      recording_urls: { [format]: url },
      public_recording_urls: { [format]: url },
    });
    if (!transcription) return;
    this.host.linger(call, this.savedDelayMs, () =>
      this.host.emit(call, "call.recording.transcription.saved", {
        calling_party_type: /^sips?:/i.test(farEndOf(call)) ? "sip" : "pstn",
        recording_id: recording.id,
        recording_transcription_id: uuid(),
        status: "completed",
        transcription_text: SIMULATED_TRANSCRIPTION_TEXT,
      }),
    );
  }
}
