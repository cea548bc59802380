// Outbound campaign: dial a list at a steady pace (the client's dialRate), detect answering machines, leave a
// message after the greeting's beep on machines, ask people a question; busy and no answer are recorded. Many
// instances can run it over one list: `next()` hands out each number once (a Redis list, LPOP).
import { type Call, CallEndedError, type CallFlows, DialFailedError } from "@telnyx-voice/flows";

export type Result =
  | "message left"
  | "interested"
  | "not interested"
  | "no response"
  | "busy"
  | "no answer"
  | "unreachable"
  | "hung up";

export interface CampaignOptions {
  flows: CallFlows;
  connectionId: string;
  from: string;
  /** The next number to call, or undefined once the list is done. */
  next: () => Promise<string | undefined>;
  /** A number's outcome: a result, or the error that ended its call. */
  record: (to: string, outcome: Result | Error) => Promise<void> | void;
  /** Calls at once on this instance (the pace across instances is the client's `dialRate`). */
  concurrency?: number;
}

export async function campaign({ flows, connectionId, from, next, record, concurrency = 4 }: CampaignOptions) {
  async function talk(call: Call): Promise<Result> {
    const detection = await call.waitFor("call.machine.detection.ended");
    if (detection.result === "machine") {
      await call.waitFor("call.machine.greeting.ended"); // the beep
      await call.speak({ payload: "Hello from Acme. Call us back about your renewal.", voice: "female" });
      return "message left";
    }
    const { digits } = await call.gatherUsingSpeak({
      payload: "Hello from Acme. Press 1 if you would like to renew, 2 if not.",
      voice: "female",
      valid_digits: "12",
      maximum_digits: 1,
      maximum_tries: 1,
      timeout_millis: 10_000,
    });
    await call.speak({ payload: "Thank you. Goodbye.", voice: "female" });
    return digits === "1" ? "interested" : digits === "2" ? "not interested" : "no response";
  }

  async function callOne(to: string): Promise<Result> {
    let call: Call | undefined;
    try {
      call = await flows.dial({ connection_id: connectionId, from, to, answering_machine_detection: "detect_beep" });
      return await talk(call);
    } catch (error) {
      if (error instanceof DialFailedError) {
        if (error.hangup_cause === "user_busy") return "busy";
        return error.hangup_cause === "timeout" || error.hangup_cause === "no_answer" ? "no answer" : "unreachable";
      }
      if (error instanceof CallEndedError) return "hung up";
      throw error;
    } finally {
      if (call && !call.isEnded) await call.hangup().catch(() => undefined);
    }
  }

  const worker = async () => {
    for (let to = await next(); to !== undefined; to = await next()) {
      await record(
        to,
        await callOne(to).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
