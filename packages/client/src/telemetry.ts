// Where the client finds its telemetry: installed by `enableTelemetry()` from `@telnyx-voice/client/otel`, which
// is the only part that imports @opentelemetry/api. The core reads this slot once per request and, when it is
// empty, does nothing more: neither @opentelemetry/api nor the telemetry code is loaded or bundled unless the app
// asks for them. A global symbol, not a module variable: the /otel entry is a build of its own (CommonJS builds
// share no module with index.cjs), and an app may load the package twice; both reach the same slot.
import type { Attempt } from "./attempts.js";
import type { RequestPlan } from "./plan.js";
import type { Outcome } from "./retry.js";

/** The spans and metrics of one request (see otel.ts). */
export interface RequestTelemetry {
  attempt(number: number, url: string, send: () => Attempt): Attempt;
  answered(attempt: Attempt, response: Response): void;
  failed(attempt: Attempt, error: unknown): void;
  retrying(outcome: Outcome, attempt: Attempt | undefined): void;
  follow<T>(answer: Promise<T>): Promise<T>;
}

export interface Telemetry {
  /** Undefined while no SDK is registered. */
  start(
    plan: RequestPlan,
    baseURL: string,
    pathParams: Record<string, unknown> | undefined,
  ): RequestTelemetry | undefined;
}

export const TELEMETRY = Symbol.for("@telnyx-voice/client.telemetry");

export function telemetry(): Telemetry | undefined {
  return (globalThis as { [TELEMETRY]?: Telemetry })[TELEMETRY];
}
