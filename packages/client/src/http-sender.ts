// The Node build's sender: node:http(s) through Node's global agents (keep-alive since Node 19) in place of
// fetch, which on Node 20 costs about twice as much per request. It keeps what the fetch layer relies on
// from fetch: redirects are never followed; the attempt's signal aborts it, before the headers (rejecting
// with the signal's reason) or during the body (the body fails); the answer is a standard `Response`.
// A body is read whole before resolving (decompressed, as fetch does), which is cheaper than a stream.
// Read past the call's limit, or declared over it, it is handed back as a stream for the fetch layer to
// refuse, as it refuses fetch's. If the read fails, the Response is handed back anyway with a body that fails
// as fetch's would, so a failure after the headers means the same in both builds. Blob, FormData and
// URLSearchParams bodies go to fetch. node:https and node:zlib load on first use (they add to startup).
import { type IncomingMessage, request as httpRequest } from "node:http";
import { pipeline, Readable, type Transform } from "node:stream";
import type { SendPolicy, Sender } from "./attempts.js";
import { BufferedResponse } from "./buffered-response.js";
import { senderFailure } from "./errors.js";

/** Statuses whose responses never have a body (fetch's "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Sent unless the caller set one (fetch sends its own; some front ends refuse requests without any). */
const USER_AGENT = `telnyx-voice node/${process.versions.node}`;

type Meta = { status: number; statusText: string; headers: Headers };
type Request = typeof httpRequest;
type Zlib = typeof import("node:zlib");

let httpsRequest: Request | undefined;
let zlib: Zlib | undefined;

export function httpSender(viaFetch: Sender): Sender {
  return (url, init, policy) => {
    const body = init.body;
    if (body !== null && body !== undefined && typeof body !== "string" && !isBytes(body)) {
      return viaFetch(url, init, policy);
    }
    if (!url.startsWith("https:"))
      return new Promise((resolve, reject) => send(httpRequest, url, init, policy, resolve, reject));
    if (httpsRequest) {
      const request = httpsRequest;
      return new Promise((resolve, reject) => send(request, url, init, policy, resolve, reject));
    }
    return import("node:https").then((https) => {
      httpsRequest = https.request;
      const request = https.request;
      return new Promise<Response>((resolve, reject) => send(request, url, init, policy, resolve, reject));
    });
  };
}

function send(
  request: Request,
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
  const outgoing = request(url, { method, headers });
  let settled = false;
  let response: IncomingMessage | undefined;
  /** The body read so far, once reading it has begun. */
  let body: Buffer[] | undefined;
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
    succeed(new Response(failingBody(body ?? [], error), meta));
  };
  function onAbort() {
    const reason = signal?.reason;
    if (body) interrupt(reason);
    else fail(reason);
    outgoing.destroy();
    response?.destroy(reason);
  }
  signal?.addEventListener("abort", onAbort, { once: true });

  /** Reads `source` (the body, decompressed) whole, or until past the limit. */
  const read = (source: Readable, chunks: Buffer[]) => {
    let size = 0;
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
  };

  outgoing.on("error", (error) => (body ? interrupt(error) : fail(senderFailure.request(error))));
  outgoing.on("response", (res: IncomingMessage) => {
    response = res;
    // Whatever happens to the body now is reported through it (or was, to the promise): never thrown.
    res.on("error", (error) => (body ? interrupt(error) : undefined));
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
    const chunks: Buffer[] = [];
    body = chunks;
    res.once("close", () => {
      if (!res.complete) interrupt(senderFailure.closed());
    });
    const coding = encoding?.trim().toLowerCase();
    if (coding === undefined || coding === "identity") read(res, chunks);
    else if (zlib) read(decoded(zlib, res, coding), chunks);
    else {
      res.pause();
      import("node:zlib").then((module) => {
        zlib = module;
        if (!settled) read(decoded(module, res, coding), chunks);
      }, interrupt);
    }
  });

  if (init.body === null || init.body === undefined) outgoing.end();
  else if (typeof init.body === "string") outgoing.end(init.body);
  else outgoing.end(toBuffer(init.body as ArrayBuffer | ArrayBufferView));
}

/** The body decompressed as fetch would (gzip, deflate, br); another coding is handed on as it came. */
function decoded(z: Zlib, res: IncomingMessage, coding: string): Readable {
  const decoder: Transform | undefined =
    coding === "gzip" || coding === "x-gzip"
      ? z.createGunzip()
      : coding === "deflate"
        ? z.createInflate()
        : coding === "br"
          ? z.createBrotliDecompress()
          : undefined;
  return decoder ? pipeline(res, decoder, () => undefined) : res;
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
