import type { WebhookEvent } from "../events.js";
import { type BodyLimits, bodyTimedOut, busyAnswer, type ErrorReporter, failure, tooLarge } from "./respond.js";

/** Called with each verified event; return a `Response` to answer with it instead of 200. */
export type FetchEventHandler = (event: WebhookEvent, request: Request) => unknown;

async function readLimited(request: Request, { maxBodyBytes, bodyTimeoutMs }: BodyLimits): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // One deadline for the whole body, raced against each read: a stream that never ends is answered 408.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bodyTimedOut(bodyTimeoutMs)), bodyTimeoutMs);
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      size += value.byteLength;
      if (size > maxBodyBytes) throw tooLarge(maxBodyBytes);
      chunks.push(value);
    }
  } catch (error) {
    // Not awaited: cancelling a stalled source may itself never settle, and the answer must not wait for it.
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}

export function createFetchHandler(
  unwrap: (body: Uint8Array, headers: Headers) => Promise<WebhookEvent>,
  onEvent: FetchEventHandler,
  limits: BodyLimits,
  onError: ErrorReporter,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "POST") return text(405, "method_not_allowed", { allow: "POST" });
    let event: WebhookEvent;
    try {
      event = await unwrap(await readLimited(request, limits), request.headers);
    } catch (error) {
      const answer = failure(error);
      // After 408 or 413 the rest of the body is unread: ask the server to close rather than reuse the connection.
      const close: Record<string, string> =
        answer?.status === 408 || answer?.status === 413 ? { connection: "close" } : {};
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
