// Warm transfer: the customer asks for an agent and waits on hold music while the agent is dialled and briefed;
// an agent who accepts is bridged to the customer, one who declines (or does not answer) sends the customer back
// to the menu.
import { type CallFlows, DialFailedError } from "@telnyx-voice/flows";

export interface WarmTransferOptions {
  flows: CallFlows;
  connectionId: string;
  ourNumber: string;
  agent: string;
  holdMusic: string;
}

export function warmTransfer({ flows, connectionId, ourNumber, agent, holdMusic }: WarmTransferOptions): void {
  flows.incoming(async (call) => {
    await call.answer();
    for (;;) {
      const menu = await call.gatherUsingSpeak({
        payload: "Press 1 to speak to an agent, 2 to hang up.",
        voice: "female",
        valid_digits: "12",
        maximum_digits: 1,
      });
      if (menu.digits !== "1") return call.hangup();
      const hold = call.playbackStart({ audio_url: holdMusic, loop: "infinity" });
      try {
        const leg = await flows.dial({ connection_id: connectionId, from: ourNumber, to: agent });
        const brief = await leg.gatherUsingSpeak({
          payload: `A customer calling from ${call.from} needs help. Press 1 to take the call, 2 to decline.`,
          voice: "female",
          valid_digits: "12",
          maximum_digits: 1,
        });
        if (brief.digits === "1") {
          await hold.stop();
          await call.bridge(leg);
          return;
        }
        await leg.hangup();
      } catch (error) {
        if (!(error instanceof DialFailedError)) throw error;
      }
      await hold.stop();
      await call.speak({ payload: "No agent can take your call right now.", voice: "female" });
    }
  });
}
