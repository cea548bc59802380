// The spans of a flow's awaits and the `telnyx.flows.running` metric, made once `enableTelemetry()` (otel.ts) has
// installed them. Attributes are ids and event types; never a call's state, numbers or anything spoken.
import {
  type Attributes,
  type Context,
  context as contexts,
  type Meter,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
  type UpDownCounter,
} from "@opentelemetry/api";
import { registered } from "./otel-providers.js";
import type { AwaitTelemetry, CallTelemetry, Telemetry } from "./telemetry.js";
import type { CallInfo } from "./types.js";

const SCOPE = "@telnyx-voice/flows";

interface Instruments {
  tracer: Tracer;
  running: UpDownCounter;
}

function instruments(tracer: Tracer, meter: Meter): Instruments {
  return {
    tracer,
    running: meter.createUpDownCounter("telnyx.flows.running", {
      description: "Calls whose flow is running: from their first event (or dial) to their hangup",
      unit: "{call}",
    }),
  };
}

function traceparentOf(context: SpanContext | undefined): string | undefined {
  if (!context || !trace.isSpanContextValid(context)) return undefined;
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

class AwaitSpan implements AwaitTelemetry {
  readonly span: Span;
  readonly #context: Context;

  constructor(tools: Instruments, parent: Context, name: string, attributes: Attributes) {
    this.span = tools.tracer.startSpan(`flow ${name}`, { kind: SpanKind.INTERNAL, attributes }, parent);
    this.#context = trace.setSpan(parent, this.span);
  }

  run<T>(send: () => T): T {
    return contexts.with(this.#context, send);
  }

  settledBy(type: string): void {
    this.span.setAttribute("telnyx.completed_by", type);
  }

  follow(outcome: Promise<unknown>): void {
    outcome.then(
      (result) => {
        // A dial learns its call's id when it is answered.
        const id = (result as { id?: unknown } | undefined)?.id;
        if (typeof id === "string" && result instanceof Object && "ended" in result) {
          this.span.setAttribute("telnyx.call_control_id", id);
        }
        this.span.end();
      },
      (error: unknown) => {
        const type = error instanceof Error ? error.name : "_OTHER";
        this.span.setAttribute("error.type", type);
        // A flow ended by the hangup is how calls end, not a fault: named, not marked an error.
        if (type !== "CallEndedError") this.span.setStatus({ code: SpanStatusCode.ERROR });
        this.span.end();
      },
    );
  }
}

/**
 * The context a flow runs in: always that of the webhook that last woke it. An await resumes the flow in the
 * context it was made in (AsyncLocalStorage binds a continuation where it awaits), so a fixed context would hold
 * the call's first webhook for the whole call; this one reads through to the latest. What a flow starts (its
 * dials, the app's own spans) is then under the webhook that woke it.
 */
class LiveContext implements Context {
  constructor(readonly call: CallTrace) {}
  getValue(key: symbol): unknown {
    return this.call.wokeContext.getValue(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return this.call.wokeContext.setValue(key, value);
  }
  deleteValue(key: symbol): Context {
    return this.call.wokeContext.deleteValue(key);
  }
}

class CallTrace implements CallTelemetry {
  readonly traceparent: string | undefined;
  readonly #tools: Instruments;
  readonly #id: string;
  readonly #direction: string;
  /** The context of the webhook that last woke the call's flow. */
  #woke: Context;
  readonly #live = new LiveContext(this);
  #ended = false;

  constructor(tools: Instruments, info: CallInfo, traceparent: string | undefined) {
    this.#tools = tools;
    this.#id = info.id;
    this.#direction = info.direction;
    this.#woke = contexts.active();
    this.traceparent = traceparent ?? traceparentOf(trace.getSpan(this.#woke)?.spanContext());
    tools.running.add(1, { "telnyx.call.direction": this.#direction });
  }

  woke(): void {
    // An event relayed from another instance comes without its webhook's span: the flow stays where it was.
    const active = contexts.active();
    if (trace.getSpan(active)) this.#woke = active;
  }

  get wokeContext(): Context {
    return this.#woke;
  }

  run<T>(flow: () => T): T {
    return contexts.with(this.#live, flow);
  }

  await(name: string, types: readonly string[]): AwaitTelemetry {
    const attributes: Attributes = { "telnyx.call_control_id": this.#id, "telnyx.action": name };
    if (types.length > 0) attributes["telnyx.awaits"] = [...types];
    // Under what is active: in a flow, the webhook that last woke it (LiveContext), whichever call it awaits on.
    return new AwaitSpan(this.#tools, contexts.active(), name, attributes);
  }

  ended(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#tools.running.add(-1, { "telnyx.call.direction": this.#direction });
  }
}

export function flowTelemetry(): Telemetry {
  const tools = registered(SCOPE, instruments);
  return {
    call(info, traceparent) {
      const made = tools();
      return made && new CallTrace(made, info, traceparent);
    },
    dial() {
      const made = tools();
      if (!made) return undefined;
      const observed = new AwaitSpan(made, contexts.active(), "dial", { "telnyx.action": "dial" });
      return Object.assign(observed, { traceparent: traceparentOf(observed.span.spanContext()) });
    },
  };
}
