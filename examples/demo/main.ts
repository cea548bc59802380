// `pnpm demo`: a whole call flow, offline. Starts the Telnyx simulator in this process, a webhook receiver
// on 127.0.0.1, and the IVR app: written as a flow (./ivr-flow.ts, @telnyx-voice/flows), or with `--router`
// as webhook handlers (./ivr-router.ts); or, with `--voice-bot`, the voice bot pattern over a media stream
// (./voice-bot.ts). All use only public APIs. Prints a timeline; exits 0 when the call flow completed, 1 with
// the reason when not.
import { Telnyx } from "@telnyx-voice/client";
import { CallFlows } from "@telnyx-voice/flows";
import { startSimulator } from "@telnyx-voice/simulator";
import { type WebhookEvent, Webhooks } from "@telnyx-voice/webhooks";
import { ivrFlow } from "./ivr-flow.ts";
import { ivr } from "./ivr-router.ts";
import { voiceBotDemo } from "./voice-bot.ts";
import { startReceiver } from "./receiver.ts";
import { commandSent, eventReceived, nameCall, note, stats } from "./timeline.ts";

const API_KEY = "KEY_demo"; // the simulator's key; against Telnyx this would be process.env.TELNYX_API_KEY
const OUR_NUMBER = "+13125550100";
const CUSTOMER = "+13125550142";
const SALES_AGENT = "+13125550111";
const TIMEOUT_MS = 15_000;
const style = process.argv.includes("--router") ? "router" : "flow";

/** The interesting part of each event's payload, for the timeline. */
function detail(event: WebhookEvent): string {
  const p = event.data.payload as Record<string, unknown>;
  const parts = ["direction", "digits", "status", "hangup_cause"].filter((k) => p[k] !== undefined && p[k] !== "");
  const attempt = event.meta.attempt > 1 ? ` (attempt ${event.meta.attempt})` : "";
  return parts.map((k) => `${k}=${String(p[k])}`).join(" ") + attempt;
}

/** Every verified event goes on the timeline; each call is named by its direction when it starts. */
function logEvent(event: WebhookEvent): void {
  const p = event.data.payload as { call_control_id?: string; direction?: string };
  if (event.data.event_type === "call.initiated" && p.call_control_id) {
    nameCall(p.call_control_id, p.direction === "incoming" ? "customer" : "agent");
  }
  eventReceived(event.data.event_type, p.call_control_id, detail(event));
}

async function main(): Promise<number> {
  const sim = await startSimulator({ apiKey: API_KEY, answerDelayMs: 150, mediaDurationMs: 100 });
  note(`simulator at ${sim.url}, webhook public key ${sim.publicKey}; the IVR written as a ${style}`);

  let finish: (reason?: string) => void = () => {};
  const outcome = new Promise<string | undefined>((resolve) => {
    finish = resolve;
  });
  const timer = setTimeout(() => finish(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);
  const failed = (error: unknown) => finish(`${error instanceof Error ? error.message : String(error)}`);

  // Every command the app sends goes on the timeline as it leaves.
  const telnyx = new Telnyx({
    apiKey: API_KEY,
    baseURL: sim.url,
    fetch: (url, init) => {
      commandSent(init.method ?? "GET", url, init.body);
      return fetch(url, init);
    },
  });
  const webhooks = new Webhooks({ publicKey: sim.publicKey, onError: failed });
  let connectionId = "";
  const app = {
    connectionId: () => connectionId,
    ourNumber: OUR_NUMBER,
    salesAgent: SALES_AGENT,
    done: () => finish(),
    fail: (reason: string) => finish(reason),
  };
  let handler: Parameters<typeof startReceiver>[0];
  if (style === "flow") {
    const flows = new CallFlows({ telnyx, webhooks, onEvent: logEvent, onError: failed });
    ivrFlow({ flows, ...app });
    handler = flows.nodeHandler();
  } else {
    const router = ivr({ telnyx, webhooks, ...app });
    handler = webhooks.nodeHandler(async (event) => {
      logEvent(event);
      await router.handle(event);
    });
  }
  const receiver = await startReceiver(handler);

  try {
    const application = await telnyx.callControlApplications.create({
      application_name: "demo-ivr",
      webhook_event_url: receiver.url,
    });
    connectionId = application.data.id ?? "";

    note(`a customer (${CUSTOMER}) calls ${OUR_NUMBER} and will press 1`);
    sim.inboundCall({ from: CUSTOMER, to: OUR_NUMBER, connectionId, digits: "1" });

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

(process.argv.includes("--voice-bot") ? voiceBotDemo() : main()).then((code) => process.exit(code));
