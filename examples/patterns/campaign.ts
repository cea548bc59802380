// Outbound campaign: dial a list at a steady pace (the client's dialRate), detect answering machines, leave a
// message after the greeting's beep on machines, ask humans a question; busy and no answer are recorded. Many
// instances can run it over one list: `next()` hands out each number once (a Redis list, LPOP).
import { type Call, CallEndedError, type CallFlows, DialFailedError } from "@telnyx-voice/flows";

export type Result =
  | "message left"
  | "interested"
  | "not interested"
  | "no response"
  | "busy"
  | "no answer"
  | "hung up";

export interface CampaignOptions {
  flows: CallFlows;
  connectionId: string;
  from: string;
  /** The next number to call, or undefined once the list is done. */
  next: () => Promise<string | undefined>;
  record: (to: string, result: Result) => Promise<void> | void;
  /** Calls at once on this instance (the pace across instances is the client's `dialRate`). */
  concurrency?: number;
}

export async function campaign({ flows, connectionId, from, next, record, concurrency = 4 }: CampaignOptions) {
  const dial = (to: string) =>
    flows.dial({ connection_id: connectionId, from, to, answering_machine_detection: "detect_beep" });

  async function callOne(to: string): Promise<Result> {
    let call: Call;
    try {
      call = await dial(to);
    } catch (error) {
      if (!(error instanceof DialFailedError)) throw error;
      return error.hangup_cause === "user_busy" ? "busy" : "no answer";
    }
    try {
      const detection = await call.waitFor("call.machine.detection.ended");
      if (detection.result === "machine") {
        await call.waitFor("call.machine.greeting.ended"); // the beep
        await call.speak({ payload: "Hello from Acme. Call us back about your renewal.", voice: "female" });
        await call.hangup();
        return "message left";
      }
      const { digits } = await call.gatherUsingSpeak({
        payload: "Hello from Acme. Press 1 if you would like to renew, 2 if not.",
        voice: "female",
        valid_digits: "12",
        maximum_digits: 1,
      });
      await call.speak({ payload: "Thank you. Goodbye.", voice: "female" });
      await call.hangup();
      return digits === "1" ? "interested" : digits === "2" ? "not interested" : "no response";
    } catch (error) {
      if (error instanceof CallEndedError) return "hung up";
      throw error;
    }
  }

  const worker = async () => {
    for (let to = await next(); to !== undefined; to = await next()) await record(to, await callOne(to));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
