// Warm transfer: the customer asks for an agent and waits on hold music while the agent is dialled and briefed;
// an agent who accepts is bridged to the customer; one who declines, hangs up or does not answer sends the
// customer back to the menu. No leg is left up: whichever side ends first, the agent's call ends with it.
import { type Call, CallEndedError, type CallFlows } from "@telnyx-voice/flows";

export interface WarmTransferOptions {
  flows: CallFlows;
  connectionId: string;
  ourNumber: string;
  agent: string;
  holdMusic: string;
}

export function warmTransfer({ flows, connectionId, ourNumber, agent, holdMusic }: WarmTransferOptions): void {
  /** The agent's call once they accept the customer, or undefined (their call then ended). */
  async function brief(customer: Call): Promise<Call | undefined> {
    let leg: Call | undefined;
    let accepted = false;
    try {
      leg = await flows.dial({ connection_id: connectionId, from: ourNumber, to: agent }, { timeoutMs: 30_000 });
      const { digits } = await leg.gatherUsingSpeak({
        payload: `A customer calling from ${customer.from} needs help. Press 1 to take the call, 2 to decline.`,
        voice: "female",
        valid_digits: "12",
        maximum_digits: 1,
        maximum_tries: 1,
        timeout_millis: 15_000,
      });
      accepted = digits === "1" && !customer.isEnded;
    } catch (error) {
      if (!(error instanceof CallEndedError)) throw error; // no answer, or the agent hung up: declined
    } finally {
      if (!accepted && leg && !leg.isEnded) await leg.hangup().catch(() => undefined);
    }
    return accepted ? leg : undefined;
  }

  flows.incoming(async (call) => {
    await call.answer();
    for (;;) {
      const menu = await call.gatherUsingSpeak({
        payload: "Press 1 to speak to an agent, 2 to hang up.",
        voice: "female",
        valid_digits: "12",
        maximum_digits: 1,
        maximum_tries: 1,
        timeout_millis: 15_000,
      });
      if (menu.digits !== "1") return call.hangup();
      const hold = call.playbackStart({ audio_url: holdMusic, loop: "infinity" }, { timeoutMs: 600_000 });
      const leg = await brief(call);
      try {
        await hold.stop();
        if (leg) return await call.bridge(leg);
      } finally {
        if (leg && call.isEnded) await leg.hangup().catch(() => undefined);
      }
      await call.speak({ payload: "No agent can take your call right now.", voice: "female" });
    }
  });
}
