// The spans and metrics of one request, made only once `enableTelemetry()` (otel.ts) has installed them: a span
// for the command (or other request) as the caller sees it, and under it a CLIENT span per HTTP attempt (HTTP
// client semantic conventions), each resend saying why it was sent. No header, body or key is ever recorded:
// the attributes are the method, the URL (which holds no secret), ids and statuses.
import {
  type Attributes,
  type Context,
  type Counter,
  context as contexts,
  type Histogram,
  type Meter,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { Attempt } from "./attempts.js";
import type { RequestPlan } from "./plan.js";
import type { Outcome } from "./retry.js";
import type { RequestTelemetry } from "./telemetry.js";

export interface Instruments {
  tracer: Tracer;
  commands: Counter;
  duration: Histogram;
  retries: Counter;
}

export function instruments(tracer: Tracer, meter: Meter): Instruments {
  return {
    tracer,
    commands: meter.createCounter("telnyx.client.commands", {
      description: "Call commands (dial and every action) by action and outcome",
      unit: "{command}",
    }),
    duration: meter.createHistogram("telnyx.client.command.duration", {
      description: "How long call commands took, retries included",
      unit: "s",
    }),
    retries: meter.createCounter("telnyx.client.retries", {
      description: "Call commands sent again, by action and reason",
      unit: "{retry}",
    }),
  };
}

/** What a request is, for its spans: `label` is the action (`speak`, `dial`) or `GET /calls/{call_control_id}`. */
interface CommandFacts {
  readonly label: string;
  readonly method: string;
  /** The path template with the base URL's path: `/v2/calls/{call_control_id}/actions/speak`. */
  readonly template: string;
  readonly callControlId: unknown;
  readonly commandId: string | undefined;
}

export class CommandTelemetry implements RequestTelemetry {
  readonly #tools: Instruments;
  readonly #facts: CommandFacts;
  /** The call command's name (metrics are kept for call commands only), undefined for other requests. */
  readonly #action: string | undefined;
  readonly #span: Span;
  readonly #context: Context;
  readonly #started = performance.now();
  readonly #attempts: Array<{ attempt: Attempt; span: Span }> = [];
  readonly #reasons: string[] = [];
  #host: { address: string; port: number } | undefined;
  #status: number | undefined;

  constructor(
    tools: Instruments,
    plan: RequestPlan,
    basePath: string,
    pathParams: Record<string, unknown> | undefined,
  ) {
    this.#tools = tools;
    const facts: CommandFacts = {
      label: plan.operation,
      method: plan.method,
      template: basePath + plan.schemaPath,
      callControlId: pathParams?.call_control_id,
      commandId: plan.commandId,
    };
    this.#facts = facts;
    this.#action = facts.label.includes(" ") ? undefined : facts.label;
    const attributes: Attributes = { "http.request.method": facts.method, "url.template": facts.template };
    if (this.#action !== undefined) attributes["telnyx.action"] = this.#action;
    if (typeof facts.callControlId === "string") attributes["telnyx.call_control_id"] = facts.callControlId;
    if (facts.commandId !== undefined) attributes["telnyx.command_id"] = facts.commandId;
    const parent = contexts.active();
    this.#span = tools.tracer.startSpan(`telnyx ${facts.label}`, { kind: SpanKind.INTERNAL, attributes }, parent);
    this.#context = trace.setSpan(parent, this.#span);
  }

  /** Sends attempt `number` with `send`, under a CLIENT span of its own that is active while fetch is called. */
  attempt(number: number, url: string, send: () => Attempt): Attempt {
    const { method, template } = this.#facts;
    this.#host ??= hostOf(url);
    const attributes: Attributes = {
      "http.request.method": method,
      // Without its query: nothing the client sends there is secret, but a middleware might put a token in it.
      "url.full": url.split("?", 1)[0] as string,
      "url.template": template,
      "server.address": this.#host.address,
      "server.port": this.#host.port,
    };
    if (number > 1) {
      attributes["http.request.resend_count"] = number - 1;
      const reason = this.#reasons[number - 2];
      if (reason !== undefined) attributes["telnyx.retry.reason"] = reason;
    }
    const span = this.#tools.tracer.startSpan(
      `${method} ${template}`,
      { kind: SpanKind.CLIENT, attributes },
      this.#context,
    );
    // Active while fetch is called, so that a fetch instrumentation (undici's) nests its span under this one.
    const attempt = contexts.with(trace.setSpan(this.#context, span), send);
    this.#attempts.push({ attempt, span });
    return attempt;
  }

  /** Response headers came for `attempt`: its status (the span ends when it is retried, or with the command). */
  answered(attempt: Attempt, response: Response): void {
    this.#status = response.status;
    const span = this.#spanOf(attempt);
    if (!span) return;
    span.setAttribute("http.response.status_code", response.status);
    const requestId = response.headers.get("x-request-id");
    if (requestId) span.setAttribute("telnyx.request_id", requestId);
    if (response.status >= 400) {
      span.setAttribute("error.type", String(response.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  /** `attempt` failed without a response (its deadline, the connection). */
  failed(attempt: Attempt, error: unknown): void {
    const span = this.#spanOf(attempt);
    if (!span) return;
    span.setAttribute("error.type", attempt.timedOut ? "timeout" : errorCode(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    this.#endAttempt(attempt);
  }

  /**
   * The command is sent again because of `outcome`, recorded as its reason (`503`, `timeout`, `network`,
   * `unanswered`); `attempt` is done with unless it stays open beside the resend (`unanswered`).
   */
  retrying(outcome: Outcome, attempt: Attempt | undefined): void {
    const reason = outcome.kind === "status" ? String(outcome.status) : outcome.kind;
    this.#reasons.push(reason);
    if (attempt) this.#endAttempt(attempt);
    if (this.#action !== undefined) {
      this.#tools.retries.add(1, { "telnyx.action": this.#action, "telnyx.retry.reason": reason });
    }
  }

  /** Follows the command's answer to record its end; hands the same outcome on. */
  follow<T>(answer: Promise<T>): Promise<T> {
    return answer.then(
      (result) => {
        this.#end(undefined, (result as { data?: unknown }).data);
        return result;
      },
      (error: unknown) => {
        this.#end(error, undefined);
        throw error;
      },
    );
  }

  #end(error: unknown, data: unknown): void {
    // An APIError carries the status it failed with (read from it, not by instanceof: a CommonJS app's /otel
    // entry has classes of its own); a success, the status of the answer.
    const failedWith = (error as { status?: unknown } | undefined)?.status;
    const status = error === undefined ? this.#status : typeof failedWith === "number" ? failedWith : undefined;
    const errorType = error === undefined ? undefined : status !== undefined ? String(status) : errorName(error);
    const span = this.#span;
    for (const { span: open } of this.#attempts.splice(0)) open.end();
    if (status !== undefined) span.setAttribute("http.response.status_code", status);
    if (this.#reasons.length > 0) {
      span.setAttribute("telnyx.retries", this.#reasons.length);
      span.setAttribute("telnyx.retry.reasons", this.#reasons);
    }
    // A dial learns its call's id from the answer.
    const id = (data as { data?: { call_control_id?: unknown } } | undefined)?.data?.call_control_id;
    if (typeof this.#facts.callControlId !== "string" && typeof id === "string") {
      span.setAttribute("telnyx.call_control_id", id);
    }
    if (errorType !== undefined) {
      span.setAttribute("error.type", errorType);
      // Named by its status or type only: a message may hold what a middleware put there.
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    const instruments = this.#tools;
    if (this.#action !== undefined) {
      const attributes: Attributes = {
        "telnyx.action": this.#action,
        "telnyx.outcome": errorType === undefined ? "ok" : "error",
      };
      if (errorType !== undefined) attributes["error.type"] = errorType;
      instruments.commands.add(1, attributes);
      instruments.duration.record((performance.now() - this.#started) / 1000, attributes);
    }
  }

  #spanOf(attempt: Attempt): Span | undefined {
    for (const open of this.#attempts) if (open.attempt === attempt) return open.span;
    return undefined;
  }

  #endAttempt(attempt: Attempt): void {
    const at = this.#attempts.findIndex((open) => open.attempt === attempt);
    if (at >= 0) this.#attempts.splice(at, 1)[0]?.span.end();
  }
}

function hostOf(url: string): { address: string; port: number } {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === "http:" ? 80 : 443;
  return { address: parsed.hostname, port };
}

/** A connection failure's code (`ECONNREFUSED`, `UND_ERR_SOCKET`), found on it or a cause, else its type's name. */
function errorCode(error: unknown): string {
  for (
    let e = error, depth = 0;
    e && typeof e === "object" && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return errorName(error);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "_OTHER";
}
