// `@telnyx-voice/webhooks/otel`: a span and metrics per webhook received, through @opentelemetry/api. Only this
// entry imports the API (an optional peer dependency): an app that never calls enableTelemetry() neither needs it
// installed nor carries it, or this code, in its bundle (a Worker that verifies stays as small).
import type { WebhookEvent } from "./events.js";
import type { Verification } from "./handlers/respond.js";
import type { HeaderRecord } from "./headers.js";
import { registered } from "./otel-providers.js";
import { instruments, WebhookReceipt } from "./receipt.js";
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
  // The receipts of the events being handled (for the router), each removed as its webhook is answered.
  const receipts = new Map<WebhookEvent, WebhookReceipt>();
  const tools = registered(SCOPE, (tracer, meter) => ({ ...instruments(tracer, meter), traceParent, receipts }));
  const receipt = () => {
    const made = tools();
    return made && new WebhookReceipt(made);
  };
  const installed: Telemetry = {
    // The receipt of each request in flight, found by its headers (what verification is handed), removed as it
    // is answered; with no SDK registered, a request goes straight through.
    fetchHandler(create, verification, onEvent, ...rest) {
      const of = new Map<Headers, WebhookReceipt>();
      const handle = create(traced(verification, of), traceEvent(onEvent, of), ...rest);
      const observedHandle = async (observed: WebhookReceipt, request: Request) => {
        of.set(request.headers, observed);
        try {
          const response = await handle(request);
          observed.end(response.status);
          return response;
        } finally {
          of.delete(request.headers);
          observed.release();
        }
      };
      return (request) => {
        const observed = receipt();
        return observed ? observedHandle(observed, request) : handle(request);
      };
    },
    nodeHandler(create, verification, onEvent, ...rest) {
      const of = new Map<HeaderRecord, WebhookReceipt>();
      const handle = create(traced(verification, of), traceEvent(onEvent, of), ...rest);
      type Args = Parameters<typeof handle>;
      const observedHandle = async (observed: WebhookReceipt, req: Args[0], res: Args[1], next: Args[2]) => {
        of.set(req.headers, observed);
        try {
          await handle(req, res, next);
          observed.end(res.statusCode);
        } finally {
          of.delete(req.headers);
          observed.release();
        }
      };
      return (req, res, next) => {
        const observed = receipt();
        return observed ? observedHandle(observed, req, res, next) : handle(req, res, next);
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
  of: Map<H, WebhookReceipt>,
): Verification<Body, H> {
  return {
    checkHeaders(headers) {
      try {
        verification.checkHeaders(headers);
      } catch (error) {
        of.get(headers)?.failed(error);
        throw error;
      }
    },
    unwrap(body, headers) {
      const unwrapped = verification.unwrap(body, headers);
      const observed = of.get(headers);
      return observed
        ? unwrapped.catch((error: unknown) => {
            observed.failed(error);
            throw error;
          })
        : unwrapped;
    },
  };
}

/** The app's handler, run under the webhook's span; what it throws (a 503 from the router) is told to the receipt. */
function traceEvent<Request extends { headers: object }, Rest extends unknown[]>(
  onEvent: (event: WebhookEvent, request: Request, ...rest: Rest) => unknown,
  of: Map<object, WebhookReceipt>,
): (event: WebhookEvent, request: Request, ...rest: Rest) => unknown {
  const observedRun = async (observed: WebhookReceipt, event: WebhookEvent, request: Request, rest: Rest) => {
    try {
      return await observed.run(event, () => onEvent(event, request, ...rest));
    } catch (error) {
      observed.failed(error);
      throw error;
    }
  };
  return (event, request, ...rest) => {
    const observed = of.get(request.headers);
    return observed ? observedRun(observed, event, request, rest) : onEvent(event, request, ...rest);
  };
}
