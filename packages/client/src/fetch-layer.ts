// The bottom of every request: openapi-fetch builds a LightRequest, runs the middleware, then calls the
// call's plan-bound fetch, which lands here. This loop only sends, times out and waits: it opens attempts
// (each with its deadline), asks `shouldRetry` about what came back, waits as told, and sends again with
// the same headers and body (and so the same `command_id`). Redirects are never followed, and the body
// handed back is one that fits `maxResponseBytes`, read within the attempt's deadline.
import { type Attempt, type Sender, UNANSWERED } from "./attempts.js";
import type { Errors } from "./errors.js";
import type { Logger } from "./options.js";
import { isBinary, type RequestPlan } from "./plan.js";
import type { LightRequest } from "./request.js";
import type { RequestTelemetry } from "./telemetry.js";
import { RateGate, rateLimitReset } from "./rate-gate.js";
import {
  connectionNeverSent,
  type Decision,
  MAX_SERVER_DELAY,
  type Outcome,
  serverDelay,
  shouldRetry,
  sleep,
} from "./retry.js";

const UNANSWERED_OUTCOME: Outcome = { kind: "unanswered" };

export interface FetchLayerConfig {
  fetch: Sender;
  /** `Bearer <key>`: added to each attempt as it is sent, after middleware, which never sees it. */
  authorization: string;
  logger: Logger | undefined;
  errors: Errors;
}

export class FetchLayer {
  readonly #fetch: Sender;
  readonly #authorization: string;
  readonly #logger: Logger | undefined;
  readonly #errors: Errors;
  /** `x-ratelimit-remaining: 0` seen: the client's requests wait for `x-ratelimit-reset`. */
  readonly #gate = new RateGate();

  constructor(config: FetchLayerConfig) {
    this.#fetch = config.fetch;
    this.#authorization = config.authorization;
    this.#logger = config.logger;
    this.#errors = config.errors;
  }

  /** What came back, for `logger.debug`: status, latency, Telnyx's request id and the command's `command_id`. */
  #logAnswer(
    debug: NonNullable<Logger["debug"]>,
    request: LightRequest,
    response: Response,
    ms: number,
    attempt: number,
    plan: RequestPlan,
  ): void {
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const details: Record<string, unknown> = { status: response.status, ms: Math.round(ms), attempt };
    if (requestId) details.requestId = requestId;
    if (plan.commandId) details.commandId = plan.commandId;
    debug(
      this.#errors.logText(
        `telnyx: ${where(request)} -> ${response.status} in ${Math.round(ms)} ms (attempt ${attempt}${
          requestId ? `, request id ${requestId}` : ""
        }${plan.commandId ? `, command_id ${plan.commandId}` : ""})`,
      ),
      details,
    );
  }

  /** Sends `request` as `plan` says, until an answer to hand back or a failure to throw. */
  async send(request: LightRequest, plan: RequestPlan): Promise<Response> {
    const errors = this.#errors;
    const logger = this.#logger;
    const { settings, signal, attempts } = plan;
    const url = request.url;
    attempts.url = url;
    const body = request.body;
    if (typeof body === "object" && body !== null && !isBinary(body)) {
      throw errors.unsendableBody(
        where(request),
        Array.isArray(body) ? "an array" : (body.constructor?.name ?? "an object"),
      );
    }
    // undici copies a plain object into a request several times faster than it iterates a Headers.
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    headers.authorization = this.#authorization;
    // Never follow a redirect (Attempt sends with redirect: "manual"): the Telnyx API does not send them,
    // and following one would resend the command (body, client_state, command_id) wherever it points.
    const init: RequestInit = { method: request.method, headers, body: (body ?? null) as BodyInit | null };

    let started = 0;
    for (;;) {
      if (signal?.aborted) throw errors.aborted(where(request), signal.reason);
      // Checked here, not awaited: most requests find the window open and skip an async call and its promise.
      if (this.#gate.delay() > 0) await this.#untilRateLimitResets(request, signal);
      started++;
      if (logger?.debug) {
        logger.debug(errors.logText(`telnyx: ${where(request)} (attempt ${started}/${settings.maxRetries + 1})`), {
          headers: this.#logged(headers),
        });
      }
      const sentAt = logger?.debug ? performance.now() : 0;
      const telemetry = plan.telemetry;
      let attempt = telemetry
        ? this.#sendTraced(plan, started, url, init)
        : attempts.start(started, this.#fetch, url, init, settings.timeout);
      let response: Response | undefined;
      let error: unknown;
      if (plan.commandTimeout === undefined) {
        // One attempt at a time: wait for fetch itself.
        try {
          response = await attempt.sent;
          attempt.response = response;
        } catch (e) {
          error = e;
          attempts.drop(attempt);
          telemetry?.failed(attempt, e);
          if (signal?.aborted) throw errors.aborted(where(request), e);
        }
      } else {
        const settled = await this.#firstAnswer(request, init, plan, started);
        started = settled.started;
        attempt = settled.attempt;
        response = settled.response;
        error = settled.error;
      }

      let outcome: Outcome;
      if (response !== undefined) {
        telemetry?.answered(attempt, response);
        if (logger?.debug) this.#logAnswer(logger.debug, request, response, performance.now() - sentAt, started, plan);
        attempts.keepOnly(attempt);
        this.#gate.observe(response.headers);
        const status = response.status;
        if (status >= 200 && status < 300) return this.#within(response, attempt, plan, request);
        if ((status >= 300 && status < 400) || response.type === "opaqueredirect") {
          throw errors.redirect(where(request), status, response.headers);
        }
        const retryAfter =
          serverDelay(response.headers) ?? (status === 429 ? rateLimitReset(response.headers) : undefined);
        outcome = { kind: "status", status, retryAfter };
      } else {
        outcome = attempt.timedOut ? { kind: "timeout" } : { kind: "network", neverSent: connectionNeverSent(error) };
      }

      const decision: Decision = shouldRetry(outcome, started, plan, Math.random());
      if (!decision.retry) {
        if (response !== undefined) return this.#within(response, attempt, plan, request);
        throw attempt.timedOut
          ? errors.timeout(where(request), settings.timeout, started, false)
          : errors.connection(where(request), error, started);
      }
      // Refused: abort it, closing whatever of its body is still to come.
      if (response !== undefined) attempts.discard(attempt);
      telemetry?.retrying(outcome, attempt);
      logger?.warn?.(
        errors.logText(
          `telnyx: ${where(request)} ${describeOutcome(outcome, settings.timeout, error)}; retrying in ${Math.round(decision.delay)} ms (attempt ${started + 1}/${settings.maxRetries + 1})`,
        ),
      );
      if (decision.delay > 0) {
        try {
          await sleep(decision.delay, signal);
        } catch (cause) {
          throw errors.aborted(where(request), cause);
        }
      }
    }
  }

  /** Holds a request while an earlier response said the rate limit window is spent, up to MAX_SERVER_DELAY. */
  async #untilRateLimitResets(request: LightRequest, signal: AbortSignal | undefined): Promise<void> {
    const delay = this.#gate.delay();
    if (delay === 0 || delay > MAX_SERVER_DELAY) return;
    this.#logger?.info?.(
      this.#errors.logText(
        `telnyx: ${where(request)} waits ${Math.round(delay)} ms: x-ratelimit-remaining was 0 until x-ratelimit-reset`,
      ),
    );
    try {
      await sleep(delay, signal);
    } catch (cause) {
      throw this.#errors.aborted(where(request), cause);
    }
  }

  /** Starts attempt `number` under its span (telemetry enabled). */
  #sendTraced(plan: RequestPlan, number: number, url: string, init: RequestInit): Attempt {
    const { attempts, settings, telemetry } = plan;
    return (telemetry as RequestTelemetry).attempt(number, url, () =>
      attempts.start(number, this.#fetch, url, init, settings.timeout),
    );
  }

  /**
   * A command's wait for an answer: unanswered after `commandTimeout`, it is sent again (same body, so the
   * same command_id) with its earlier attempts kept open; the first response wins. An attempt that fails
   * while others are open is dropped; the last one's failure is the outcome.
   */
  async #firstAnswer(
    request: LightRequest,
    init: RequestInit,
    plan: RequestPlan,
    started: number,
  ): Promise<{ started: number; attempt: Attempt; response?: Response | undefined; error?: unknown }> {
    const { attempts, settings, signal } = plan;
    for (;;) {
      const hedge = started <= settings.maxRetries ? plan.commandTimeout : undefined;
      const settled = await attempts.next(hedge);
      if (settled === UNANSWERED) {
        if (shouldRetry({ kind: "unanswered" }, started, plan, 0).retry) {
          started++;
          this.#logger?.warn?.(
            this.#errors.logText(
              `telnyx: ${where(request)} got no answer within ${hedge} ms; sending it again (attempt ${started}/${settings.maxRetries + 1}, same command_id), the earlier attempt still open`,
            ),
          );
          // Sent again while the earlier attempt stays open: that one is not done with.
          if (!plan.telemetry) attempts.start(started, this.#fetch, request.url, init, settings.timeout);
          else {
            plan.telemetry.retrying(UNANSWERED_OUTCOME, undefined);
            this.#sendTraced(plan, started, request.url, init);
          }
        }
        continue;
      }
      if (settled.response !== undefined) return { started, attempt: settled.attempt, response: settled.response };
      attempts.drop(settled.attempt);
      plan.telemetry?.failed(settled.attempt, settled.error);
      if (signal?.aborted) throw this.#errors.aborted(where(request), settled.error);
      if (attempts.openCount === 0) return { started, attempt: settled.attempt, error: settled.error };
    }
  }

  /**
   * The answer to hand back, its body bounded by `maxResponseBytes`: a declared length is checked up front
   * (openapi-fetch then reads exactly that much, within the winner's deadline); an undeclared one, or a
   * compressed body, which may inflate past its declared length, is read here, counting, and handed back whole.
   */
  #within(
    response: Response,
    attempt: Attempt,
    plan: RequestPlan,
    request: LightRequest,
  ): Response | Promise<Response> {
    const limit = plan.settings.maxResponseBytes;
    const declared = response.headers.get("content-length");
    if (declared !== null && response.headers.get("content-encoding") === null) {
      const length = Number(declared);
      if (length <= limit) {
        plan.attempts.winner = attempt;
        return response;
      }
      // Not read: the call's end aborts the attempt and so closes the connection.
      if (Number.isFinite(length)) throw this.#errors.tooLarge(where(request), limit, length);
    }
    // No body: nothing to count.
    if (response.body === null) {
      plan.attempts.winner = attempt;
      return response;
    }
    return this.#read(response, attempt, plan, request);
  }

  async #read(response: Response, attempt: Attempt, plan: RequestPlan, request: LightRequest): Promise<Response> {
    const limit = plan.settings.maxResponseBytes;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    // Ends: the body ends, goes over the limit, or the attempt's deadline (or the caller's signal) aborts it.
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (attempt.timedOut) throw this.#errors.timeout(where(request), plan.settings.timeout, attempt.number, true);
        if (plan.signal?.aborted) throw this.#errors.aborted(where(request), error);
        throw this.#errors.connection(where(request), error, attempt.number);
      }
      if (chunk.done) break;
      size += chunk.value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => undefined);
        throw this.#errors.tooLarge(where(request), limit, undefined);
      }
      chunks.push(chunk.value);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    plan.attempts.winner = attempt;
    return new Response(bytes, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  /** Headers as logged: Authorization, and any header that carries the key, redacted. */
  #logged(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name in headers) {
      out[name] = name === "authorization" ? "Bearer [redacted]" : this.#errors.logText(headers[name] as string);
    }
    return out;
  }
}

/** `POST https://...`, for errors and log lines: built only there, not on every request. */
function where(request: LightRequest): string {
  return `${request.method} ${request.url}`;
}

function describeOutcome(outcome: Outcome, timeout: number, error: unknown): string {
  switch (outcome.kind) {
    case "status":
      return `returned ${outcome.status}`;
    case "timeout":
      return `got no response within ${timeout} ms`;
    case "network":
      return `failed (${error instanceof Error ? error.message : String(error)})`;
    case "unanswered":
      return "got no answer yet";
  }
}
