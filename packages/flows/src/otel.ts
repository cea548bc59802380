// `@telnyx-voice/flows/otel`: one call, one trace. Enables the client's and the webhooks' telemetry too, and adds
// a span per await of a flow. Only the /otel entries import @opentelemetry/api (an optional peer dependency).
//
// How a call reads as one trace: the span of the call's first webhook (or of `flows.dial()`) is the call's root,
// and its traceparent rides in the call's client_state, which Telnyx echoes in every later webhook of the call.
// Whichever instance verifies a webhook reads it there (the webhooks' `traceParent`), so every webhook span of the
// call is a child of that root, on any instance, without a store. In the flow, each await is a child of the
// webhook that last woke the flow, and the command it sends (the client's span, and its HTTP attempts) a child of
// the await; the webhook that completes it is named on it (`telnyx.completed_by`).
import { enableTelemetry as enableClientTelemetry } from "@telnyx-voice/client/otel";
import { enableTelemetry as enableWebhooksTelemetry } from "@telnyx-voice/webhooks/otel";
import { decodeClientState } from "./client-state.js";
import { flowTelemetry } from "./flow-telemetry.js";
import { TELEMETRY, type Telemetry } from "./telemetry.js";

/**
 * Records every call of these flows as one trace: a span per webhook (from `@telnyx-voice/webhooks/otel`), per
 * await of a flow (`flow speak`, `flow waitFor`, `flow dial`) and per command and HTTP attempt (from
 * `@telnyx-voice/client/otel`), with their metrics and `telnyx.flows.running`, through the providers registered
 * with @opentelemetry/api (an SDK's, with a context manager: AsyncLocalStorage on Node). Call it once at startup;
 * it returns a function that turns all of it off.
 */
export function enableTelemetry(): () => void {
  const offClient = enableClientTelemetry();
  const offWebhooks = enableWebhooksTelemetry({
    traceParent: (event) =>
      decodeClientState((event.data.payload as { client_state?: unknown } | undefined)?.client_state)?.trace,
  });
  const installed: Telemetry = flowTelemetry();
  const slot = globalThis as { [TELEMETRY]?: Telemetry };
  slot[TELEMETRY] = installed;
  return () => {
    if (slot[TELEMETRY] === installed) delete slot[TELEMETRY];
    offWebhooks();
    offClient();
  };
}
