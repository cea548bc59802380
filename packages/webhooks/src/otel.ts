// `@telnyx-voice/webhooks/otel`: a span and metrics per webhook received, through @opentelemetry/api. Only this
// entry imports the API (an optional peer dependency): an app that never calls enableTelemetry() neither needs it
// installed nor carries it, or this code, in its bundle (a Worker that verifies stays as small).
import { type MeterProvider, metrics, type TracerProvider, trace } from "@opentelemetry/api";
import type { WebhookEvent } from "./events.js";
import type { Verification } from "./handlers/respond.js";
import type { HeaderRecord } from "./headers.js";
import { type Instruments, instruments, WebhookReceipt } from "./receipt.js";
import { TELEMETRY, type Telemetry } from "./telemetry.js";

const SCOPE = "@telnyx-voice/webhooks";

export interface WebhooksTelemetryOptions {
  /**
   * The W3C `traceparent` of the trace a webhook's span joins, read from what the event carries (its
   * `client_state`), so that every webhook of a call is in the call's trace; without it (or when it returns
   * undefined) a webhook's span starts a trace of its own, or joins an HTTP server instrumentation's span.
   * `@telnyx-voice/flows/otel` sets it for flows.
   */
  traceParent?: ((event: WebhookEvent) => string | undefined) | undefined;
}

/**
 * Records a span per webhook received (`telnyx webhook call.answered`: verification, event type and id, the
 * router's duplicate, wait and late) with the app's handler run under it, and the metrics
 * `telnyx.webhooks.received` (by outcome) and `telnyx.router.wait.duration`, through the tracer and meter
 * providers registered with @opentelemetry/api (an SDK's). Call it once at startup; it returns a function that
 * turns it off.
 */
export function enableTelemetry(options: WebhooksTelemetryOptions = {}): () => void {
  const { traceParent } = options;
  if (traceParent !== undefined && typeof traceParent !== "function") {
    throw new TypeError("enableTelemetry({ traceParent }): traceParent must be a function of the event");
  }
  const receipts = new WeakMap<WebhookEvent, WebhookReceipt>();
  // Made again when the app registers other providers (the metrics API, unlike tracing, hands out no proxy).
  let made: { tracing: TracerProvider; metering: MeterProvider; tools: Instruments } | undefined;
  const receipt = () => {
    const tracing = trace.getTracerProvider();
    const metering = metrics.getMeterProvider();
    if (made?.tracing !== tracing || made.metering !== metering) {
      const tools = instruments(tracing.getTracer(SCOPE), metering.getMeter(SCOPE));
      made = { tracing, metering, tools: { ...tools, traceParent, receipts } };
    }
    return new WebhookReceipt(made.tools);
  };
  const installed: Telemetry = {
    fetchHandler(create, verification, onEvent, ...rest) {
      const of = new WeakMap<Headers, WebhookReceipt>();
      const handle = create(traced(verification, of), traceEvent(onEvent, of), ...rest);
      return async (request) => {
        const observed = receipt();
        of.set(request.headers, observed);
        const response = await handle(request);
        observed.end(response.status);
        return response;
      };
    },
    nodeHandler(create, verification, onEvent, ...rest) {
      const of = new WeakMap<HeaderRecord, WebhookReceipt>();
      const handle = create(traced(verification, of), traceEvent(onEvent, of), ...rest);
      return async (req, res, next) => {
        const observed = receipt();
        of.set(req.headers, observed);
        await handle(req, res, next);
        observed.end(res.statusCode);
      };
    },
    routed: (event) => receipts.get(event)?.routed(),
  };
  const slot = globalThis as { [TELEMETRY]?: Telemetry };
  slot[TELEMETRY] = installed;
  return () => {
    if (slot[TELEMETRY] === installed) delete slot[TELEMETRY];
  };
}

/** The handler's verification, telling each request's receipt why it refused it. Found by the request's headers. */
function traced<Body, H extends object>(
  verification: Verification<Body, H>,
  of: WeakMap<H, WebhookReceipt>,
): Verification<Body, H> {
  return {
    checkHeaders(headers) {
      try {
        verification.checkHeaders(headers);
      } catch (error) {
        of.get(headers)?.refused(error);
        throw error;
      }
    },
    unwrap: (body, headers) =>
      verification.unwrap(body, headers).catch((error: unknown) => {
        of.get(headers)?.refused(error);
        throw error;
      }),
  };
}

/** The app's handler, run under the webhook's span; what it throws (a 503 from the router) is told to the receipt. */
function traceEvent<Request extends { headers: object }, Rest extends unknown[]>(
  onEvent: (event: WebhookEvent, request: Request, ...rest: Rest) => unknown,
  of: WeakMap<object, WebhookReceipt>,
): (event: WebhookEvent, request: Request, ...rest: Rest) => unknown {
  return async (event, request, ...rest) => {
    const observed = of.get(request.headers);
    if (!observed) return onEvent(event, request, ...rest);
    try {
      return await observed.run(event, () => onEvent(event, request, ...rest));
    } catch (error) {
      observed.threw(error);
      throw error;
    }
  };
}
