// The Node build's sender: node:http(s) through Node's global agent (keep-alive since Node 19) in place of
// fetch, which on Node 20 costs about twice as much per request. It keeps what the fetch layer relies on
// from fetch: redirects are never followed; the attempt's signal aborts it, before the headers (rejecting
// with the signal's reason) or during the body (the body fails); the answer is a standard `Response`.
// A body is read whole before resolving (decompressed, as fetch does), which is cheaper than a stream.
// Read past the call's limit, or declared over it, it is handed back as a stream for the fetch layer to
// refuse, as it refuses fetch's. If the read fails, the Response is handed back anyway with a body that fails
// as fetch's would, so a failure after the headers means the same in both builds. Blob, FormData and
// URLSearchParams bodies go to fetch.
import { type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline, Readable, type Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { SendPolicy, Sender } from "./attempts.js";
import { BufferedResponse } from "./buffered-response.js";
import { senderFailure } from "./errors.js";

/** Statuses whose responses never have a body (fetch's "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** Sent unless the caller set one (fetch sends its own; some front ends refuse requests without any). */
const USER_AGENT = `telnyx-voice node/${process.versions.node}`;

type Meta = { status: number; statusText: string; headers: Headers };

export function httpSender(viaFetch: Sender): Sender {
  return (url, init, policy) => {
    const body = init.body;
    if (body !== null && body !== undefined && typeof body !== "string" && !isBytes(body)) {
      return viaFetch(url, init, policy);
    }
    return new Promise<Response>((resolve, reject) => send(url, init, policy, resolve, reject));
  };
}

function send(
  url: string,
  init: RequestInit,
  policy: SendPolicy,
  resolve: (response: Response) => void,
  reject: (error: unknown) => void,
): void {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) {
    reject(signal.reason);
    return;
  }
  const method = init.method ?? "GET";
  const given = init.headers as Record<string, string>;
  const headers = given["user-agent"] === undefined ? { ...given, "user-agent": USER_AGENT } : given;
  const request = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, { method, headers });
  let settled = false;
  let response: IncomingMessage | undefined;
  /** The body read so far while it is read before resolving. */
  let buffered: Buffer[] | undefined;
  let meta: Meta | undefined;

  const release = () => signal?.removeEventListener("abort", onAbort);
  const succeed = (answer: Response) => {
    settled = true;
    resolve(answer);
  };
  /** No answer: the promise fails, as fetch's does. */
  const fail = (error: unknown) => {
    if (settled) return;
    settled = true;
    release();
    reject(error);
  };
  /** The headers came but not the whole body: the answer, with a body that fails with `error`. */
  const interrupt = (error: unknown) => {
    if (settled) return;
    release();
    succeed(new Response(failingBody(buffered ?? [], error), meta));
  };
  function onAbort() {
    const reason = signal?.reason;
    if (buffered) interrupt(reason);
    else fail(reason);
    request.destroy();
    response?.destroy(reason);
  }
  signal?.addEventListener("abort", onAbort, { once: true });

  request.on("error", (error) => (buffered ? interrupt(error) : fail(senderFailure.request(error))));
  request.on("response", (res: IncomingMessage) => {
    response = res;
    // Whatever happens to the body now is reported through it (or was, to the promise): never thrown.
    res.on("error", (error) => (buffered ? interrupt(error) : undefined));
    let headers: Headers;
    try {
      headers = responseHeaders(res);
    } catch (error) {
      res.destroy();
      fail(senderFailure.headers(error));
      return;
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 599) {
      res.destroy();
      fail(senderFailure.status(status));
      return;
    }
    meta = { status, statusText: res.statusMessage ?? "", headers };
    if (method === "HEAD" || NULL_BODY.has(status)) {
      res.once("close", release);
      res.resume();
      succeed(new Response(null, meta));
      return;
    }
    const encoding = headers.get("content-encoding");
    const declared = encoding === null ? headers.get("content-length") : null;
    if (declared !== null && Number(declared) > policy.bodyLimit) {
      // Declared over the limit: the fetch layer refuses it unread.
      res.once("close", release);
      succeed(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, meta));
      return;
    }
    // Read whole before resolving, counting (decompressed) bytes against the limit.
    const decoder = encoding === null ? undefined : DECODERS[encoding.trim().toLowerCase()];
    const source: Readable = decoder ? pipeline(res, decoder(), () => undefined) : res;
    const chunks: Buffer[] = [];
    let size = 0;
    buffered = chunks;
    source.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= policy.bodyLimit || settled) return;
      // Over the limit: hand back what came, for the fetch layer to count and refuse; the call's end then
      // aborts the attempt, which closes the connection (so the abort listener stays).
      source.pause();
      succeed(new Response(partialBody(chunks), meta));
    });
    source.on("error", interrupt);
    source.once("end", () => {
      if (settled) return;
      release();
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      // A BufferedResponse stands in for a Response inside the client (see there).
      succeed(
        policy.internalAnswer
          ? (new BufferedResponse(bytes, meta as Meta) as unknown as Response)
          : new Response(bytes as Uint8Array<ArrayBuffer>, meta),
      );
    });
    res.once("close", () => {
      if (!res.complete) interrupt(senderFailure.closed());
    });
  });

  if (init.body === null || init.body === undefined) request.end();
  else if (typeof init.body === "string") request.end(init.body);
  else request.end(toBuffer(init.body as ArrayBuffer | ArrayBufferView));
}

/** The part of a body that came, and no end: the fetch layer reads past its limit and stops. */
function partialBody(chunks: Buffer[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
    },
  });
}

/** The part of a body that came, then `error`: what reading an interrupted fetch body gives. */
function failingBody(chunks: Buffer[], error: unknown): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.error(error);
    },
  });
}

function isBytes(body: object): boolean {
  return body instanceof ArrayBuffer || ArrayBuffer.isView(body);
}

function toBuffer(body: ArrayBuffer | ArrayBufferView): Buffer {
  return body instanceof ArrayBuffer ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function responseHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}
