// `@telnyx-voice/client/otel`: traces and metrics of every request through @opentelemetry/api. Only this entry
// imports the API (an optional peer dependency): an app that never calls enableTelemetry() neither needs it
// installed nor carries it, or this code, in its bundle (the Worker and browser bundles stay as they were).
import { type MeterProvider, metrics, type TracerProvider, trace } from "@opentelemetry/api";
import { CommandTelemetry, type Instruments, instruments } from "./command-telemetry.js";
import { TELEMETRY, type Telemetry } from "./telemetry.js";

const SCOPE = "@telnyx-voice/client";

/**
 * Records a span per request (`telnyx speak`, `telnyx dial`) with a CLIENT span per HTTP attempt under it, and
 * the metrics `telnyx.client.commands`, `telnyx.client.retries` and `telnyx.client.command.duration`, through
 * the tracer and meter providers registered with @opentelemetry/api (an SDK's). Call it once at startup; it
 * returns a function that turns it off. Without a registered SDK the API's no-op tracer records nothing.
 */
export function enableTelemetry(): () => void {
  // Made again when the app registers other providers (the metrics API, unlike tracing, hands out no proxy).
  let base = { url: "", path: "" };
  let made: { tracing: TracerProvider; metering: MeterProvider; tools: Instruments } | undefined;
  const installed: Telemetry = {
    start(plan, baseURL, pathParams) {
      const tracing = trace.getTracerProvider();
      const metering = metrics.getMeterProvider();
      if (made?.tracing !== tracing || made.metering !== metering) {
        made = { tracing, metering, tools: instruments(tracing.getTracer(SCOPE), metering.getMeter(SCOPE)) };
      }
      if (baseURL !== base.url) base = { url: baseURL, path: new URL(baseURL).pathname.replace(/\/$/, "") };
      return new CommandTelemetry(made.tools, plan, base.path, pathParams);
    },
  };
  const slot = globalThis as { [TELEMETRY]?: Telemetry };
  slot[TELEMETRY] = installed;
  return () => {
    if (slot[TELEMETRY] === installed) delete slot[TELEMETRY];
  };
}
