// Voicemail: answer, greet, record after the beep until the caller presses # or hangs up (or the recording
// reaches its 2 minutes). Whichever ends it, the app gets the saved recording: Telnyx saves a recording cut by
// the hangup after the call has ended, and the flow's call still receives it.
import { type Call, CallEndedError, type CallFlows, type EventPayload } from "@telnyx-voice/flows";

export type Recording = EventPayload<"call.recording.saved">;

export interface Voicemail {
  from: string | undefined;
  recording: Recording;
}

export function voicemail(flows: CallFlows, save: (message: Voicemail) => Promise<void> | void): void {
  flows.incoming(async (call) => {
    await call.answer();
    await call.speak({ payload: "Please leave a message after the beep. Press pound when done.", voice: "female" });
    await call.recordStart({ format: "mp3", channels: "single", play_beep: true, max_length: 120 });
    const saved = call.waitFor("call.recording.saved", { timeoutMs: 150_000 });
    if (await Promise.race([pressed(call, "#"), saved.then(() => false)])) await call.recordStop();
    await save({ from: call.from, recording: await saved });
    if (!call.isEnded) {
      await call.speak({ payload: "Thank you. Goodbye.", voice: "female" });
      await call.hangup();
    }
  });
}

/** Resolves true when the caller presses `key`, false when they hang up first. */
export async function pressed(call: Call, key: string): Promise<boolean> {
  try {
    while ((await call.waitFor("call.dtmf.received", { timeoutMs: 150_000 })).digit !== key);
    return true;
  } catch (error) {
    if (error instanceof CallEndedError) return false;
    throw error;
  }
}
