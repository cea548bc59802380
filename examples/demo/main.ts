// `pnpm demo`: a whole call flow, offline. Starts the Telnyx simulator in this process, a webhook receiver
// on 127.0.0.1, and the IVR app from ./ivr.ts, which uses only the public APIs of @telnyx-voice/client and
// @telnyx-voice/webhooks. Prints a timeline; exits 0 when the flow completed, 1 with the reason when not.
import { Telnyx } from "@telnyx-voice/client";
import { startSimulator } from "@telnyx-voice/simulator";
import { type WebhookEvent, Webhooks } from "@telnyx-voice/webhooks";
import { ivr } from "./ivr.ts";
import { startReceiver } from "./receiver.ts";
import { commandSent, eventReceived, nameCall, note, stats } from "./timeline.ts";

const API_KEY = "KEY_demo"; // the simulator's key; against Telnyx this would be process.env.TELNYX_API_KEY
const OUR_NUMBER = "+13125550100";
const CUSTOMER = "+13125550142";
const SALES_AGENT = "+13125550111";
const TIMEOUT_MS = 15_000;

/** The interesting part of each event's payload, for the timeline. */
function detail(event: WebhookEvent): string {
  const p = event.data.payload as Record<string, unknown>;
  const parts = ["direction", "digits", "status", "hangup_cause"].filter((k) => p[k] !== undefined && p[k] !== "");
  const attempt = event.meta.attempt > 1 ? ` (attempt ${event.meta.attempt})` : "";
  return parts.map((k) => `${k}=${String(p[k])}`).join(" ") + attempt;
}

async function main(): Promise<number> {
  const sim = await startSimulator({ apiKey: API_KEY, answerDelayMs: 150, mediaDurationMs: 100 });
  note(`simulator at ${sim.url}, webhook public key ${sim.publicKey}`);

  let finish: (reason?: string) => void = () => {};
  const outcome = new Promise<string | undefined>((resolve) => {
    finish = resolve;
  });
  const timer = setTimeout(() => finish(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);

  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: sim.url });
  const webhooks = new Webhooks({
    publicKey: sim.publicKey,
    onError: (error) => finish(`a webhook failed: ${error instanceof Error ? error.message : String(error)}`),
  });
  let connectionId = "";
  const router = ivr({
    telnyx,
    webhooks,
    connectionId: () => connectionId,
    ourNumber: OUR_NUMBER,
    salesAgent: SALES_AGENT,
    done: () => finish(),
    fail: (reason) => finish(reason),
  });
  // Every verified event goes on the timeline, then to the app's router.
  const receiver = await startReceiver(
    webhooks.nodeHandler(async (event) => {
      eventReceived(event.data.event_type, (event.data.payload as { call_control_id?: string }).call_control_id, detail(event));
      await router.handle(event);
    }),
  );

  try {
    commandSent("callControlApplications.create", undefined, `webhook_event_url=${receiver.url}`);
    const app = await telnyx.callControlApplications.create({ application_name: "demo-ivr", webhook_event_url: receiver.url });
    connectionId = app.data.id!;

    note(`a customer (${CUSTOMER}) calls ${OUR_NUMBER} and will press 1`);
    const customer = sim.inboundCall({ from: CUSTOMER, to: OUR_NUMBER, connectionId, digits: "1" });
    nameCall(customer.callControlId, "customer");

    const failure = await outcome;
    await sim.idle();
    if (failure) {
      console.error(`\nDemo FAILED: ${failure}`);
      return 1;
    }
    console.log(`\nFlow completed: ${stats.commands} commands sent, ${stats.events} verified webhooks received.`);
    return 0;
  } catch (error) {
    console.error(`\nDemo FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await sim.stop();
    await receiver.close();
  }
}

main().then((code) => process.exit(code));
