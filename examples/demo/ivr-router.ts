// The IVR written as webhook handlers (`pnpm demo -- --router`), beside the same IVR as a flow (./ivr-flow.ts).
// Everything it does is a reaction to a verified webhook, the way a Call Control app works without flows.
// Which leg an event is about travels in `client_state`, so the app keeps no per-call memory of its own:
//   customer calls -> answer -> "press 1 for sales" (gather) -> "connecting you" (speak)
//   -> dial the sales agent -> bridge customer and agent -> agent hangs up -> both legs end.
import type { Telnyx } from "@telnyx-voice/client";
import type { WebhookRouter, Webhooks } from "@telnyx-voice/webhooks";

type Role = { role: "customer" } | { role: "agent"; customer: string };

const encode = (state: Role) => Buffer.from(JSON.stringify(state)).toString("base64");
const decode = (clientState: string | null | undefined): Role | undefined =>
  clientState ? (JSON.parse(Buffer.from(clientState, "base64").toString("utf8")) as Role) : undefined;

export interface IvrOptions {
  telnyx: Telnyx;
  webhooks: Webhooks;
  /** Our call control application: outbound calls are placed from it. */
  connectionId: () => string;
  ourNumber: string;
  salesAgent: string;
  /** Called when both legs have hung up. */
  done: () => void;
  fail: (reason: string) => void;
}

export function ivr({ telnyx, webhooks, connectionId, ourNumber, salesAgent, done, fail }: IvrOptions): WebhookRouter {
  const { actions } = telnyx.calls;
  const ended = new Set<string>();

  return webhooks
    .router()
    .on("call.initiated", async ({ data: { payload } }) => {
      // Only inbound calls are ours to answer; outbound ones (our dial) just ring.
      if (payload.direction !== "incoming" || !payload.call_control_id) return;
      await actions.answer(payload.call_control_id, { client_state: encode({ role: "customer" }) });
    })
    .on("call.answered", async ({ data: { payload } }) => {
      const state = decode(payload.client_state);
      const id = payload.call_control_id!;
      if (state?.role === "customer") {
        await actions.gatherUsingSpeak(id, {
          payload: "Welcome to Acme. Press 1 for sales.",
          voice: "female",
          valid_digits: "12",
          maximum_digits: 1,
        });
      } else if (state?.role === "agent") {
        await actions.bridge(state.customer, { call_control_id: id });
      }
    })
    .on("call.gather.ended", async ({ data: { payload } }) => {
      const id = payload.call_control_id!;
      if (payload.status !== "valid" || payload.digits !== "1") {
        fail(`expected the customer to press 1, got status=${payload.status} digits="${payload.digits}"`);
        return;
      }
      await actions.speak(id, { payload: "Connecting you to sales.", voice: "female" });
    })
    .on("call.speak.ended", async ({ data: { payload } }) => {
      if (decode(payload.client_state)?.role !== "customer") return;
      await telnyx.calls.dial({
        connection_id: connectionId(),
        from: ourNumber,
        to: salesAgent,
        client_state: encode({ role: "agent", customer: payload.call_control_id! }),
      });
    })
    .on("call.bridged", async ({ data: { payload } }) => {
      // In a real call the two would now talk; here the agent hangs up once connected.
      if (decode(payload.client_state)?.role !== "agent") return;
      await actions.hangup(payload.call_control_id!);
    })
    .on("call.hangup", ({ data: { payload } }) => {
      ended.add(payload.call_control_id!);
      if (ended.size === 2) done();
    });
}
