// Where a flow finds its telemetry: installed by `enableTelemetry()` from `@telnyx-voice/flows/otel`, the only
// part that imports @opentelemetry/api. Read once per call; when empty, nothing more is done. A global symbol, not
// a module variable: the /otel entry is a build of its own, and an app may load the package twice.
import type { CallInfo } from "./types.js";

/** The span of one await (a command and what completes it, a waitFor, a dial until answered). */
export interface AwaitTelemetry {
  /** Runs `send` (the command) with this span active, so the client's span is its child. */
  run<T>(send: () => T): T;
  /** The event that settled it (`telnyx.completed_by`). */
  settledBy(type: string): void;
  /** Follows the await's promise to end the span with its outcome. */
  follow(outcome: Promise<unknown>): void;
}

/** One call's trace: the context of the webhook that last woke its flow, and the traceparent it carries. */
export interface CallTelemetry {
  /** The W3C traceparent of the call's trace, carried in client_state so every webhook of the call joins it. */
  readonly traceparent: string | undefined;
  /** An event of the call is being dispatched: its webhook's span (active now) is what woke the flow. */
  woke(): void;
  /** Runs an incoming call's flow with the webhook that last woke it as its active span, whichever that is. */
  run<T>(flow: () => T): T;
  /** A span for an await, a child of what is active (in a flow, the webhook that last woke it). */
  await(name: string, types: readonly string[]): AwaitTelemetry;
  /** The call hung up. */
  ended(): void;
}

export interface Telemetry {
  /**
   * A call of a flow, known from its first event or its dial; `traceparent` from its client_state, if any.
   * Undefined (as `dial`) while no SDK is registered.
   */
  call(info: CallInfo, traceparent: string | undefined): CallTelemetry | undefined;
  /** The span of `flows.dial()` until answered, and the traceparent its call carries from the start. */
  dial(): (AwaitTelemetry & { readonly traceparent: string | undefined }) | undefined;
}

export const TELEMETRY = Symbol.for("@telnyx-voice/flows.telemetry");

export function telemetry(): Telemetry | undefined {
  return (globalThis as { [TELEMETRY]?: Telemetry })[TELEMETRY];
}
