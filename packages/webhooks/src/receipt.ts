// The span and metrics of one webhook received, made by the traced handlers of otel.ts: how verification went
// (and why a refusal), the event, and from the router whether it was a duplicate, how long it waited for its turn
// and whether it came late. The app's handler runs with this span active, so what it starts (a flow's commands)
// is its child. Headers and bodies are never recorded.
import {
  type Attributes,
  type Context,
  type Counter,
  context as contexts,
  type Histogram,
  type Link,
  type Meter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { WebhookEvent } from "./events.js";

export interface Instruments {
  tracer: Tracer;
  received: Counter;
  wait: Histogram;
  /** The W3C traceparent of the trace a webhook joins (its call's), read from what the event carries. */
  traceParent: ((event: WebhookEvent) => string | undefined) | undefined;
  /** The receipts of the events being handled, for the router (each removed as its webhook is answered). */
  receipts: Map<WebhookEvent, WebhookReceipt>;
}

export function instruments(tracer: Tracer, meter: Meter): Omit<Instruments, "traceParent" | "receipts"> {
  return {
    tracer,
    received: meter.createCounter("telnyx.webhooks.received", {
      description: "Webhooks received, by outcome: verified, rejected (by reason), duplicate, late, busy, failed",
      unit: "{webhook}",
    }),
    wait: meter.createHistogram("telnyx.router.wait.duration", {
      description: "How long the router held an event before its handler ran (claim, reorder window, call's turn)",
      unit: "s",
    }),
  };
}

/** Refusals the handlers make before verification has a say: their answers' reasons. */
const LIMITS: Record<number, string> = { 405: "method_not_allowed", 408: "body_timeout", 413: "body_too_large" };

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context of a W3C traceparent (`00-<trace id>-<span id>-<flags>`), or undefined when it is not one. */
function remoteParent(traceparent: string | undefined): Context | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
  return trace.isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : undefined;
}

/** The app's traceparent for an event; one that throws is as none: telemetry never fails a webhook. */
function traceParentOf(read: Instruments["traceParent"], event: WebhookEvent): string | undefined {
  try {
    return read?.(event);
  } catch {
    return undefined;
  }
}

export class WebhookReceipt {
  readonly #tools: Instruments;
  /** When the request came: the span starts then, once its parent is known (at verification, or the answer). */
  readonly #arrived = performance.now();
  #span: Span | undefined;
  #event: WebhookEvent | undefined;
  readonly #attributes: Attributes = {};
  /** The outcome when nothing more specific happens. */
  #outcome = "verified";
  /** What refused it (verification) or what its handler threw (the router's 503 included). */
  #error: unknown;
  /** When the router took the event (undefined: not routed, or its handler ran). */
  #routedAt: number | undefined;

  constructor(tools: Instruments) {
    this.#tools = tools;
  }

  /**
   * The span, started at the request's arrival. Its parent is the call's trace when the event names one
   * (`traceParent`), linking the span of an HTTP server instrumentation if there is one; else that span, if any.
   */
  #start(event: WebhookEvent | undefined): Span {
    const active = contexts.active();
    const server = trace.getSpan(active);
    const joined = event && remoteParent(traceParentOf(this.#tools.traceParent, event));
    const links: Link[] = joined && server ? [{ context: server.spanContext() }] : [];
    const kind = joined || !server ? SpanKind.SERVER : SpanKind.INTERNAL;
    const name = event ? `telnyx webhook ${event.data.event_type}` : "telnyx webhook";
    this.#span = this.#tools.tracer.startSpan(name, { kind, links, startTime: this.#arrived }, joined ?? active);
    return this.#span;
  }

  /** What refused it (verification) or what the app's handler threw; the caller rethrows it. */
  failed(error: unknown): void {
    this.#error = error;
  }

  /** Verified: records the event's facts, and runs the app's handler with the webhook's span active. */
  run<T>(event: WebhookEvent, handler: () => T): T {
    const { data, meta } = event;
    const attributes = this.#attributes;
    attributes["telnyx.webhook.verification"] = "verified";
    attributes["telnyx.event_type"] = data.event_type;
    attributes["telnyx.event_id"] = data.id;
    const id = (data.payload as { call_control_id?: unknown } | undefined)?.call_control_id;
    if (typeof id === "string") attributes["telnyx.call_control_id"] = id;
    if (typeof meta?.attempt === "number") attributes["telnyx.webhook.attempt"] = meta.attempt;
    this.#event = event;
    this.#tools.receipts.set(event, this);
    return contexts.with(trace.setSpan(contexts.active(), this.#start(event)), handler);
  }

  /** Forgets the event (its webhook is answered, or its handler failed to answer): the router is done with it. */
  release(): void {
    if (this.#event) this.#tools.receipts.delete(this.#event);
  }

  /** The router took the event: a duplicate unless its handler's turn comes. */
  routed(): (late: boolean) => void {
    this.#routedAt = performance.now();
    return (late) => this.#turn(late);
  }

  #turn(late: boolean): void {
    const waited = performance.now() - (this.#routedAt as number);
    this.#routedAt = undefined;
    this.#attributes["telnyx.router.wait_ms"] = waited;
    this.#attributes["telnyx.webhook.late"] = late;
    if (late) this.#outcome = "late";
    this.#tools.wait.record(waited / 1000, { "telnyx.webhook.late": late });
  }

  /**
   * Answered with `status`. A rejection (before the event was known) is an outcome, not a span error: it is the
   * sender's fault, as a 4xx is for a server. Errors are read by their `reason`, not by class: the /otel entry is
   * a build of its own.
   */
  end(status: number): void {
    const attributes = this.#attributes;
    const error = this.#error;
    const reason = (error as { reason?: unknown } | undefined)?.reason ?? LIMITS[status];
    const rejected = !this.#span && typeof reason === "string" ? reason : undefined;
    const busy = status === 503 && typeof reason === "string" ? reason : undefined;
    if (rejected) {
      this.#outcome = "rejected";
      attributes["telnyx.webhook.verification"] = "rejected";
      attributes["telnyx.webhook.rejection_reason"] = rejected;
    } else if (busy) {
      this.#outcome = "busy";
      attributes["telnyx.webhook.busy_reason"] = busy;
    } else if (status >= 500 || error !== undefined || !this.#span) {
      this.#outcome = "failed";
    } else if (this.#routedAt !== undefined) {
      // The router took it and its handler's turn never came: a copy of an event handled (or being handled).
      this.#outcome = "duplicate";
    }
    if (attributes["telnyx.webhook.late"] !== undefined || this.#outcome === "duplicate") {
      attributes["telnyx.webhook.duplicate"] = this.#outcome === "duplicate";
    }
    attributes["telnyx.webhook.outcome"] = this.#outcome;
    attributes["http.response.status_code"] = status;
    const span = this.#span ?? this.#start(undefined);
    span.setAttributes(attributes);
    if (this.#outcome === "failed" || status >= 500) {
      // The app's error is named by its type only: its message is the app's, and may hold anything.
      const type = busy ?? rejected ?? (error instanceof Error ? error.name : "_OTHER");
      span.setAttribute("error.type", type);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    this.release();
    const labels: Attributes = { "telnyx.webhook.outcome": this.#outcome };
    if (rejected) labels["telnyx.webhook.rejection_reason"] = rejected;
    else if (attributes["telnyx.event_type"] !== undefined)
      labels["telnyx.event_type"] = attributes["telnyx.event_type"];
    this.#tools.received.add(1, labels);
  }
}
