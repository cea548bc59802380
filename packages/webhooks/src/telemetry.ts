// Where the handlers and the router find their telemetry: installed by `enableTelemetry()` from
// `@telnyx-voice/webhooks/otel`, the only part that imports @opentelemetry/api. A handler is made traced when
// telemetry is enabled as it is made (wrapping the same handler, so it answers alike); otherwise nothing more is
// done, and neither the API nor the telemetry code is loaded or bundled (a Worker that verifies stays as small). A
// global symbol, not a module variable: the /otel entry is a build of its own (CommonJS builds share no module
// with index.cjs, so it is handed the core's factories rather than importing its own copies, whose error classes
// would differ), and an app may load the package twice; both reach the same slot.
import type { WebhookEvent } from "./events.js";
import type { createFetchHandler } from "./handlers/fetch.js";
import type { createNodeHandler } from "./handlers/node.js";

export interface Telemetry {
  fetchHandler(
    create: typeof createFetchHandler,
    ...args: Parameters<typeof createFetchHandler>
  ): ReturnType<typeof createFetchHandler>;
  nodeHandler(
    create: typeof createNodeHandler,
    ...args: Parameters<typeof createNodeHandler>
  ): ReturnType<typeof createNodeHandler>;
  /**
   * The router took `event` (it is handed the event, not the request): returns what to call when its handler's
   * turn comes, with whether it came late (never called: a duplicate).
   */
  routed(event: WebhookEvent): ((late: boolean) => void) | undefined;
}

export const TELEMETRY = Symbol.for("@telnyx-voice/webhooks.telemetry");

export function telemetry(): Telemetry | undefined {
  return (globalThis as { [TELEMETRY]?: Telemetry })[TELEMETRY];
}
