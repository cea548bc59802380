import { utf8Length } from "../bytes.js";
import { RAW_BODY_HINT, WebhookVerificationError } from "../errors.js";
import type { WebhookEvent } from "../events.js";
import type { HeaderRecord } from "../headers.js";
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

// Structural types, so that the declarations need neither @types/node nor @types/express.
/** What the handler needs of node:http's `IncomingMessage` (Express's `req` is one). */
export interface NodeRequestLike {
  method?: string | undefined;
  headers: HeaderRecord;
  /** Set by body parsers: a Buffer from `express.raw`, a string from `express.text`. */
  body?: unknown;
  readableEnded?: boolean | undefined;
  on(event: "data", listener: (chunk: Uint8Array | string) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  resume(): unknown;
}

/** What the handler needs of node:http's `ServerResponse` (Express's `res` is one). */
export interface NodeResponseLike {
  statusCode: number;
  headersSent: boolean;
  writableEnded?: boolean | undefined;
  setHeader(name: string, value: string | number): unknown;
  end(body?: string): unknown;
  /** Ends the response abnormally (closes the connection): used when a handler throws after sending headers. */
  destroy(): unknown;
}

/** Called with each verified event; answer through `res` yourself, or let the handler answer 200. */
export type NodeEventHandler<
  Req extends NodeRequestLike = NodeRequestLike,
  Res extends NodeResponseLike = NodeResponseLike,
> = (event: WebhookEvent, req: Req, res: Res) => unknown;

const encoder = new TextEncoder();

function readStream(
  req: NodeRequestLike,
  { maxBodyBytes, bodyTimeoutMs }: BodyLimits,
  declared: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // Released once settled: the listeners stay on `req` until it is collected, the bytes need not.
    let body: BodyBuffer | undefined = new BodyBuffer(maxBodyBytes, declared);
    const fail = (error: unknown) => {
      if (!body) return;
      body = undefined;
      clearTimeout(timer);
      reject(error);
    };
    // The answer (408, connection: close) ends the connection; until then later chunks are ignored.
    const timer = setTimeout(() => fail(bodyTimedOut(bodyTimeoutMs)), bodyTimeoutMs);
    req.on("data", (chunk) => {
      if (!body) return;
      if (!body.append(typeof chunk === "string" ? encoder.encode(chunk) : chunk)) fail(tooLarge(maxBodyBytes));
    });
    req.on("end", () => {
      if (!body) return;
      const bytes = body.bytes();
      body = undefined;
      clearTimeout(timer);
      resolve(bytes);
    });
    req.on("error", fail);
  });
}

function isEmptyObject(value: object): boolean {
  for (const _ in value) return false;
  return true;
}

/**
 * The raw body: from a raw/text body parser if one ran, else read from the stream, once the headers alone
 * have passed `checkHeaders` (a request that cannot verify is answered without holding its body).
 */
export function rawBodyOf(
  req: NodeRequestLike,
  limits: BodyLimits,
  checkHeaders: (headers: HeaderRecord) => void,
): Promise<string | Uint8Array> {
  const body = req.body;
  const limit = limits.maxBodyBytes;
  if (body instanceof Uint8Array) {
    return body.byteLength > limit ? Promise.reject(tooLarge(limit)) : Promise.resolve(body);
  }
  if (typeof body === "string") {
    // The limit is in bytes, as on the wire and as signed: a string counts as its UTF-8 encoding.
    return utf8Length(body, limit) > limit ? Promise.reject(tooLarge(limit)) : Promise.resolve(body);
  }
  // Express 4's json parser leaves `{}` without reading the stream when the content type does not match.
  const untouched =
    body === undefined || body === null || (typeof body === "object" && isEmptyObject(body) && !req.readableEnded);
  if (untouched && !req.readableEnded) {
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    try {
      if (declared > limit) throw tooLarge(limit);
      checkHeaders(req.headers);
    } catch (error) {
      req.resume();
      return Promise.reject(error);
    }
    return readStream(req, limits, declared);
  }
  return Promise.reject(
    new WebhookVerificationError(
      "body_already_parsed",
      "The request body was already consumed by a body parser (req.body is parsed JSON), so its raw bytes, which " +
        `the signature covers, are gone. ${RAW_BODY_HINT} For example: ` +
        'app.post("/webhooks", webhooks.nodeHandler(onEvent)) before app.use(express.json()).',
    ),
  );
}

function send(res: NodeResponseLike, status: number, body: string, close = false): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  if (close) res.setHeader("connection", "close");
  res.end(body);
}

export function createNodeHandler<Req extends NodeRequestLike, Res extends NodeResponseLike>(
  verification: Verification<string | Uint8Array, HeaderRecord>,
  onEvent: NodeEventHandler<Req, Res>,
  limits: BodyLimits,
  onError: ErrorReporter,
  onRejected: RejectionReporter,
): (req: Req, res: Res, next?: (error?: unknown) => void) => Promise<void> {
  return async (req, res, next) => {
    if (req.method !== undefined && req.method !== "POST") {
      res.setHeader("allow", "POST");
      send(res, 405, "method_not_allowed");
      return;
    }
    let event: WebhookEvent;
    let body: string | Uint8Array | undefined;
    try {
      body = await rawBodyOf(req, limits, (headers) => verification.checkHeaders(headers));
      event = await verification.unwrap(body, req.headers);
    } catch (error) {
      const answer = failure(error);
      if (!answer) {
        onError(error);
        send(res, 500, "internal_error");
        return;
      }
      if (answer.body === "body_already_parsed") onError(error);
      else reportRejection(onRejected, error as WebhookVerificationError, answer.status, body, onError);
      // After 408 or 413, or a rejection on the headers alone, the rest of the stream is unread: close rather
      // than reuse the socket (readableEnded is only missing from request-like objects that are not streams).
      const unread = answer.status === 413 || answer.status === 408 || req.readableEnded === false;
      send(res, answer.status, answer.body, unread);
      return;
    }
    try {
      await onEvent(event, req, res);
    } catch (error) {
      const busy = busyAnswer(error);
      if (busy && !res.headersSent) {
        res.setHeader("retry-after", busy.retryAfter);
        send(res, busy.status, busy.body);
        return;
      }
      // Headers already out (writeHead or write ran): an error status can no longer be sent, and ending the
      // response normally would hand Telnyx a complete 2xx and lose the event. Destroying the connection
      // fails the delivery, so Telnyx redelivers. A response the handler already ended stands as it is.
      const failedMidResponse = res.headersSent && !res.writableEnded;
      if (failedMidResponse) res.destroy();
      // Express: hand the error to its error middleware, as any other route would.
      if (next) return next(error);
      onError(error);
      if (!failedMidResponse) send(res, 500, "handler_error");
      return;
    }
    if (!res.headersSent && !res.writableEnded) send(res, 200, "ok");
  };
}
