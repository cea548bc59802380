// Appointment reminder: call, say when the appointment is, and gather 1 to confirm or 2 to cancel; a call that
// is not answered is tried once more after a pause.
import { type Call, CallEndedError, type CallFlows, DialFailedError } from "@telnyx-voice/flows";

export type Reply = "confirmed" | "cancelled" | "no response" | "hung up" | "unreachable";

export interface Appointment {
  to: string;
  when: string;
}

export async function remind(
  flows: CallFlows,
  { connectionId, from, retryAfterMs }: { connectionId: string; from: string; retryAfterMs: number },
  { to, when }: Appointment,
): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    let call: Call | undefined;
    try {
      call = await flows.dial({ connection_id: connectionId, from, to });
      const { digits } = await call.gatherUsingSpeak({
        payload: `This is a reminder of your appointment on ${when}. Press 1 to confirm, 2 to cancel.`,
        voice: "female",
        valid_digits: "12",
        maximum_digits: 1,
        maximum_tries: 2,
        timeout_millis: 10_000,
      });
      const reply = digits === "1" ? "confirmed" : digits === "2" ? "cancelled" : "no response";
      await call.speak({ payload: `Your appointment is ${reply}. Goodbye.`, voice: "female" });
      return reply;
    } catch (error) {
      const noAnswer = error instanceof DialFailedError && ["timeout", "no_answer"].includes(error.hangup_cause ?? "");
      if (noAnswer && attempt < 2) {
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
        continue;
      }
      if (error instanceof DialFailedError) return "unreachable";
      if (error instanceof CallEndedError) return "hung up";
      throw error;
    } finally {
      if (call && !call.isEnded) await call.hangup().catch(() => undefined);
    }
  }
}
