// `@telnyx-voice/client/otel`: traces and metrics of every request through @opentelemetry/api. Only this entry
// imports the API (an optional peer dependency): an app that never calls enableTelemetry() neither needs it
// installed nor carries it, or this code, in its bundle (the Worker and browser bundles stay as they were).
import { CommandTelemetry, instruments } from "./command-telemetry.js";
import { registered } from "./otel-providers.js";
import { TELEMETRY, type Telemetry } from "./telemetry.js";

const SCOPE = "@telnyx-voice/client";

/**
 * Records a span per request (`telnyx speak`, `telnyx dial`) with a CLIENT span per HTTP attempt under it, and
 * the metrics `telnyx.client.commands`, `telnyx.client.retries` and `telnyx.client.command.duration`, through
 * the tracer and meter providers registered with @opentelemetry/api (an SDK's). Call it once at startup; it
 * returns a function that turns it off. While no SDK is registered, nothing is made.
 */
export function enableTelemetry(): () => void {
  const tools = registered(SCOPE, instruments);
  let base = { url: "", path: "" };
  const installed: Telemetry = {
    start(plan, baseURL, pathParams) {
      const made = tools();
      if (!made) return undefined;
      if (baseURL !== base.url) base = { url: baseURL, path: new URL(baseURL).pathname.replace(/\/$/, "") };
      return new CommandTelemetry(made, plan, base.path, pathParams);
    },
  };
  const slot = globalThis as { [TELEMETRY]?: Telemetry };
  slot[TELEMETRY] = installed;
  return () => {
    if (slot[TELEMETRY] === installed) delete slot[TELEMETRY];
  };
}
