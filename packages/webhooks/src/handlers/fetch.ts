import type { WebhookEvent } from "../events.js";
import { type ErrorReporter, failure, tooLarge } from "./respond.js";

/** Called with each verified event; return a `Response` to answer with it instead of 200. */
export type FetchEventHandler = (event: WebhookEvent, request: Request) => unknown;

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
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
  maxBodyBytes: number,
  onError: ErrorReporter,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "POST") return text(405, "method_not_allowed", { allow: "POST" });
    let event: WebhookEvent;
    try {
      event = await unwrap(await readLimited(request, maxBodyBytes), request.headers);
    } catch (error) {
      const answer = failure(error);
      if (answer) return text(answer.status, answer.body);
      // The body could not be read (the client went away, or something consumed it first): answer, so
      // the framework does not turn a throw into its own error page; Telnyx redelivers on a non-2xx.
      onError(error);
      return text(500, "body_unreadable");
    }
    try {
      const result = await onEvent(event, request);
      return result instanceof Response ? result : text(200, "ok");
    } catch (error) {
      onError(error);
      return text(500, "handler_error");
    }
  };
}
