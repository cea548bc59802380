// The bottom of every request: openapi-fetch builds a LightRequest, runs the middleware, then calls the
// call's plan-bound fetch, which lands here. This loop only sends, times out and waits: it opens attempts
// (each with its deadline), asks `shouldRetry` about what came back, waits as told, and sends again with
// the same headers and body (and so the same `command_id`). Redirects are never followed, and the body
// handed back is one that fits `maxResponseBytes`, read within the attempt's deadline.
import { type Attempt, type Sender, UNANSWERED } from "./attempts.js";
import type { Errors } from "./errors.js";
import type { Logger } from "./options.js";
import type { RequestPlan } from "./plan.js";
import type { LightRequest } from "./request.js";
import { connectionNeverSent, type Decision, type Outcome, serverDelay, shouldRetry, sleep } from "./retry.js";

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

  constructor(config: FetchLayerConfig) {
    this.#fetch = config.fetch;
    this.#authorization = config.authorization;
    this.#logger = config.logger;
    this.#errors = config.errors;
  }

  /** Sends `request` as `plan` says, until an answer to hand back or a failure to throw. */
  async send(request: LightRequest, plan: RequestPlan): Promise<Response> {
    const errors = this.#errors;
    const logger = this.#logger;
    const { settings, signal, attempts } = plan;
    const url = request.url;
    attempts.url = url;
    const where = () => `${request.method} ${url}`;
    const body = request.body;
    if (typeof body === "object" && body !== null && !isSendable(body)) {
      throw errors.unsendableBody(where(), Array.isArray(body) ? "an array" : (body.constructor?.name ?? "an object"));
    }
    // undici copies a plain object into a request several times faster than it iterates a Headers.
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    headers.authorization = this.#authorization;
    // Never follow a redirect: the Telnyx API does not send them, and following one would resend the
    // command (body, client_state, command_id) wherever it points.
    const init: RequestInit = {
      method: request.method,
      headers,
      body: (body ?? null) as BodyInit | null,
      redirect: "manual",
    };

    let started = 0;
    for (;;) {
      if (signal?.aborted) throw errors.aborted(where(), signal.reason);
      started++;
      if (logger?.debug)
        logger.debug(errors.logText(`telnyx: ${where()} (attempt ${started}/${settings.maxRetries + 1})`), {
          headers: this.#logged(headers),
        });
      attempts.start(started, this.#fetch, url, init, settings.timeout);

      // Wait for an answer. A command unanswered after `commandTimeout` is resent meanwhile, its earlier
      // attempts kept open: the first to answer wins. An attempt that fails while others are open is dropped.
      let settled: Awaited<ReturnType<typeof attempts.next>>;
      for (;;) {
        const hedge =
          plan.commandTimeout !== undefined && started <= settings.maxRetries ? plan.commandTimeout : undefined;
        settled = await attempts.next(hedge);
        if (settled === UNANSWERED) {
          if (shouldRetry({ kind: "unanswered" }, started, plan, 0).retry) {
            started++;
            logger?.warn?.(
              errors.logText(
                `telnyx: ${where()} got no answer within ${hedge} ms; sending it again (attempt ${started}/${settings.maxRetries + 1}, same command_id), the earlier attempt still open`,
              ),
            );
            attempts.start(started, this.#fetch, url, init, settings.timeout);
          }
          continue;
        }
        if (settled.response !== undefined) break;
        attempts.drop(settled.attempt);
        if (signal?.aborted) throw errors.aborted(where(), settled.error);
        if (attempts.openCount === 0) break;
      }

      const { attempt, response } = settled;
      let outcome: Outcome;
      if (response !== undefined) {
        attempts.keepOnly(attempt);
        const status = response.status;
        if (status >= 200 && status < 300) return this.#within(response, attempt, plan, where);
        if ((status >= 300 && status < 400) || response.type === "opaqueredirect") {
          throw errors.redirect(where(), status, response.headers);
        }
        outcome = { kind: "status", status, retryAfter: serverDelay(response.headers) };
      } else {
        outcome = attempt.timedOut
          ? { kind: "timeout" }
          : { kind: "network", neverSent: connectionNeverSent(settled.error) };
      }

      const decision: Decision = shouldRetry(outcome, started, plan, Math.random());
      if (!decision.retry) {
        if (response !== undefined) return this.#within(response, attempt, plan, where);
        throw attempt.timedOut
          ? errors.timeout(where(), settings.timeout, started, false)
          : errors.connection(where(), settled.error, started);
      }
      if (response !== undefined) {
        // Refused: let go of its body so the connection can be reused.
        response.body?.cancel().catch(() => undefined);
        attempts.drop(attempt);
      }
      logger?.warn?.(
        errors.logText(
          `telnyx: ${where()} ${describeOutcome(outcome, settings.timeout, settled.error)}; retrying in ${Math.round(decision.delay)} ms (attempt ${started + 1}/${settings.maxRetries + 1})`,
        ),
      );
      if (decision.delay > 0) {
        try {
          await sleep(decision.delay, signal);
        } catch (cause) {
          throw errors.aborted(where(), cause);
        }
      }
    }
  }

  /**
   * The answer to hand back, its body bounded by `maxResponseBytes`: a declared length is checked up front
   * (openapi-fetch then reads exactly that much, within the winner's deadline); an undeclared one, or a
   * compressed body, which may inflate past its declared length, is read here, counting, and handed back whole.
   */
  #within(response: Response, attempt: Attempt, plan: RequestPlan, where: () => string): Response | Promise<Response> {
    if (response.body === null) {
      plan.attempts.winner = attempt;
      return response;
    }
    const limit = plan.settings.maxResponseBytes;
    const declared = response.headers.get("content-length");
    if (declared !== null && response.headers.get("content-encoding") === null) {
      const length = Number(declared);
      if (length <= limit) {
        plan.attempts.winner = attempt;
        return response;
      }
      // Not read: the call's end aborts the attempt and so closes the connection.
      if (Number.isFinite(length)) throw this.#errors.tooLarge(where(), limit, length);
    }
    return this.#read(response, attempt, plan, where);
  }

  async #read(response: Response, attempt: Attempt, plan: RequestPlan, where: () => string): Promise<Response> {
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
        if (attempt.timedOut) throw this.#errors.timeout(where(), plan.settings.timeout, attempt.number, true);
        if (plan.signal?.aborted) throw this.#errors.aborted(where(), error);
        throw this.#errors.connection(where(), error, attempt.number);
      }
      if (chunk.done) break;
      size += chunk.value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => undefined);
        throw this.#errors.tooLarge(where(), limit, undefined);
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

/** Bodies fetch can send (and resend on retry) as they are. */
function isSendable(body: object): boolean {
  return (
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    (typeof FormData !== "undefined" && body instanceof FormData) ||
    (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams)
  );
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
