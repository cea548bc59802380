// The example app: a tiny IVR, written as a flow. One function runs per incoming call, as plain async code;
// the same IVR as webhook handlers is ./ivr-router.ts (`pnpm demo -- --router`):
//   customer calls -> answer -> "press 1 for sales" (gather) -> "connecting you" (speak)
//   -> dial the sales agent -> bridge customer and agent -> agent hangs up -> both legs end.
import type { CallFlows } from "@telnyx-voice/flows";

export interface IvrFlowOptions {
  flows: CallFlows;
  /** Our call control application: outbound calls are placed from it. */
  connectionId: () => string;
  ourNumber: string;
  salesAgent: string;
  /** Called when both legs have hung up. */
  done: () => void;
  fail: (reason: string) => void;
}

export function ivrFlow({ flows, connectionId, ourNumber, salesAgent, done, fail }: IvrFlowOptions): void {
  flows.incoming(async (call) => {
    await call.answer();
    const gather = await call.gatherUsingSpeak({
      payload: "Welcome to Acme. Press 1 for sales.",
      voice: "female",
      valid_digits: "12",
      maximum_digits: 1,
    });
    if (gather.digits !== "1") {
      return fail(`expected the customer to press 1, got status=${gather.status} digits="${gather.digits}"`);
    }
    await call.speak({ payload: "Connecting you to sales.", voice: "female" });
    const agent = await flows.dial({ connection_id: connectionId(), from: ourNumber, to: salesAgent });
    await call.bridge(agent);
    // In a real call the two would now talk; here the agent hangs up once connected, which ends both legs.
    await agent.hangup();
    await call.ended;
    done();
  });
}
