// OpenTelemetry without depending on it: @opentelemetry/api (major 1) keeps what an app registers (its tracer
// provider, context manager, meter provider) in one global, `globalThis[Symbol.for("opentelemetry.js.api.1")]`,
// so that every copy of the API shares it. Reading that global is all the client does when no SDK is registered:
// no import of the API (an optional peer dependency, so neither required nor in a bundle), nothing recorded.
// Only types come from @opentelemetry/api, and none of them is in the client's public types.
import type { Context, ContextManager, MeterProvider, Span, TracerProvider } from "@opentelemetry/api";

/** What the API's global holds once an SDK is registered (`trace` is the API's proxy over the SDK's provider). */
export interface Otel {
  readonly trace?: TracerProvider | undefined;
  readonly context?: ContextManager | undefined;
  readonly metrics?: MeterProvider | undefined;
}

const REGISTRY = Symbol.for("opentelemetry.js.api.1");
/** The API's key for the active span in a Context (`createContextKey` is `Symbol.for` of this description). */
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");

/** The registered API, or undefined when no tracer or meter provider is registered (the common case: one read). */
export function otel(): Otel | undefined {
  const registered = (globalThis as { [REGISTRY]?: Otel })[REGISTRY];
  return registered?.trace || registered?.metrics ? registered : undefined;
}

/**
 * A Context for when no context manager is registered: spans can still be given their parent explicitly
 * (the API's own ROOT_CONTEXT is out of reach without importing it). Each value is a link to the one before.
 */
class Values implements Context {
  constructor(
    readonly up: Values | undefined,
    readonly key: symbol | undefined,
    readonly value: unknown,
  ) {}
  getValue(key: symbol): unknown {
    for (let at: Values | undefined = this; at; at = at.up) if (at.key === key) return at.value;
    return undefined;
  }
  setValue(key: symbol, value: unknown): Context {
    return new Values(this, key, value);
  }
  deleteValue(key: symbol): Context {
    return new Values(this, key, undefined);
  }
}

const ROOT = new Values(undefined, undefined, undefined);

export function activeContext(api: Otel): Context {
  return api.context?.active() ?? ROOT;
}

export function withSpan(context: Context, span: Span): Context {
  return context.setValue(SPAN_KEY, span);
}
