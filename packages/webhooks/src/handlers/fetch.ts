import type { WebhookVerificationError } from "../errors.js";
import type { WebhookEvent } from "../events.js";
import { BodyBuffer } from "./body-buffer.js";
import {
  type BodyLimits,
  bodyTimedOut,
  busyAnswer,
  type ErrorReporter,
  failure,
  type RejectionReporter,
  reportRejection,
  tooLarge,
  type Verification,
} from "./respond.js";

/** Called with each verified event; return a `Response` to answer with it instead of 200. */
export type FetchEventHandler = (event: WebhookEvent, request: Request) => unknown;

async function readLimited(
  request: Request,
  { maxBodyBytes, bodyTimeoutMs }: BodyLimits,
  checkHeaders: (headers: Headers) => void,
): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
  // A request that cannot verify is answered before its body is read, so it holds none of it. Unless the body
  // was consumed already: that is the server's bug, to be answered 500 and reported whatever the headers.
  if (!request.bodyUsed) checkHeaders(request.headers);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  // One deadline for the whole body: when it passes, the read in progress rejects, so a stream that never
  // ends is answered 408. Not Promise.race against one deadline promise: each race leaves a reaction on it
  // until it settles, one per chunk, which held ~550 bytes per 1-byte chunk.
  let expire: ((error: unknown) => void) | undefined;
  const timer = setTimeout(() => expire?.(bodyTimedOut(bodyTimeoutMs)), bodyTimeoutMs);
  const read = () =>
    new Promise<ReadableStreamReadResult<Uint8Array>>((resolve, reject) => {
      expire = reject;
      reader.read().then(resolve, reject);
    });
  // Each chunk is copied in and let go: the chunks a stream hands over may be as small as a byte each.
  const body = new BodyBuffer(maxBodyBytes, declared);
  try {
    for (;;) {
      const { done, value } = await read();
      if (done) break;
      if (!body.append(value)) throw tooLarge(maxBodyBytes);
    }
  } catch (error) {
    // Not awaited: cancelling a stalled source may itself never settle, and the answer must not wait for it.
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return body.bytes();
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}

export function createFetchHandler(
  verification: Verification<Uint8Array, Headers>,
  onEvent: FetchEventHandler,
  limits: BodyLimits,
  onError: ErrorReporter,
  onRejected: RejectionReporter,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "POST") return text(405, "method_not_allowed", { allow: "POST" });
    let event: WebhookEvent;
    let body: Uint8Array | undefined;
    try {
      body = await readLimited(request, limits, (headers) => verification.checkHeaders(headers));
      event = await verification.unwrap(body, request.headers);
    } catch (error) {
      const answer = failure(error);
      if (answer) reportRejection(onRejected, error as WebhookVerificationError, answer.status, body, onError);
      // After 408 or 413, or a rejection on the headers alone (a body not yet touched), the rest of the body is
      // unread: ask the server to close rather than reuse the connection.
      const unread = answer?.status === 408 || answer?.status === 413 || (request.body !== null && !request.bodyUsed);
      const close: Record<string, string> = unread ? { connection: "close" } : {};
      if (answer) return text(answer.status, answer.body, close);
      // The body could not be read (the client went away, or something consumed it first): answer, so
      // the framework does not turn a throw into its own error page; Telnyx redelivers on a non-2xx.
      onError(error);
      return text(500, "body_unreadable");
    }
    try {
      const result = await onEvent(event, request);
      return result instanceof Response ? result : text(200, "ok");
    } catch (error) {
      const busy = busyAnswer(error);
      if (busy) return text(busy.status, busy.body, { "retry-after": busy.retryAfter });
      onError(error);
      return text(500, "handler_error");
    }
  };
}
