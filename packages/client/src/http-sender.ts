// The Node build's sender: node:http(s) through Node's global agents (keep-alive since Node 19) in place of
// fetch, which on Node 20 costs about twice as much per request. It keeps what the fetch layer relies on
// from fetch: redirects are never followed; the answer comes with the headers; the attempt's signal aborts
// it, before the headers (rejecting with the signal's reason) or during the body (reading it fails with the
// reason); a connection lost before the headers rejects, after them fails the body.
// The body is read whole in the background (decompressed as fetch does, leniently) and never past the
// call's `maxResponseBytes`: past it the connection is closed and reading fails with BodyOverLimit. With no
// middleware to see it, the answer is a BufferedResponse (see there), which is what makes this fast;
// otherwise a standard Response over the same bytes. Blob, FormData and URLSearchParams bodies go to fetch.
// node:https and node:zlib load on first use (they add to startup).
import { type IncomingMessage, request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import type { SendPolicy, Sender } from "./attempts.js";
import { BufferedResponse, NULL_BODY_STATUSES } from "./buffered-response.js";
import { senderFailure } from "./errors.js";

type RequestFunction = typeof httpRequest;
type Zlib = typeof import("node:zlib");

/** Sent unless the caller set one (fetch sends its own; some front ends refuse requests without any). */
const USER_AGENT = `telnyx-voice node/${process.versions.node}`;

const EMPTY = new Uint8Array(0);

export function httpSender(viaFetch: Sender): Sender {
  return (url, init, policy) => {
    const body = init.body;
    if (body !== null && body !== undefined && typeof body !== "string" && !isBytes(body)) {
      return viaFetch(url, init, policy);
    }
    return new Promise((resolve, reject) => {
      const request = url.startsWith("https:")
        ? builtin<typeof import("node:https")>("node:https").request
        : httpRequest;
      send(request, url, init, policy, resolve, reject);
    });
  };
}

function send(
  request: RequestFunction,
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
  let response: IncomingMessage | undefined;
  let answered = false;

  const release = () => signal?.removeEventListener("abort", onAbort);
  /** No answer: the promise fails, as fetch's does. */
  const fail = (error: unknown) => {
    if (answered) return;
    answered = true;
    release();
    reject(error);
    outgoing.destroy();
  };
  // Before the answer the promise fails with the reason; after it, reading the body does (see `collect`).
  function onAbort() {
    const reason = signal?.reason;
    fail(reason);
    outgoing.destroy();
    response?.destroy(reason);
  }
  signal?.addEventListener("abort", onAbort, { once: true });

  outgoing.on("error", (error) => fail(senderFailure.request(error)));
  // Node closes the request without an answer for, say, a 101 it was not asked to upgrade to.
  outgoing.on("close", () => fail(senderFailure.noResponse()));
  outgoing.on("response", (res: IncomingMessage) => {
    response = res;
    let headers: Headers;
    try {
      headers = responseHeaders(res);
    } catch (error) {
      res.destroy();
      fail(senderFailure.headers(error));
      return;
    }
    const status = res.statusCode ?? 0;
    // A reason phrase fetch would not hold (control bytes) is dropped, as it says nothing the status does not.
    const meta = { status, statusText: reasonPhrase(res.statusMessage), headers };
    const answer = new BufferedResponse(meta, () => res.destroy());
    if (method === "HEAD" || NULL_BODY_STATUSES.has(status)) {
      res.resume();
      answer.complete(EMPTY);
      release();
    } else {
      collect(res, headers.get("content-encoding"), policy.bodyLimit, answer, release);
    }
    let standard: Response | undefined;
    if (!policy.internalAnswer) {
      try {
        standard = answer.toResponse();
      } catch {
        // Response holds only statuses 200-599.
        res.destroy();
        fail(senderFailure.status(status));
        return;
      }
    }
    answered = true;
    // A BufferedResponse stands in for a Response inside the client (see there).
    resolve(standard ?? (answer as unknown as Response));
  });

  if (init.body === null || init.body === undefined) outgoing.end();
  else if (typeof init.body === "string") outgoing.end(init.body);
  else outgoing.end(toBuffer(init.body as ArrayBuffer | ArrayBufferView));
}

/**
 * Reads the body whole into `answer`, decoded; or fails it with the abort's reason, a lost connection, or
 * BodyOverLimit once past `limit` (closing the connection). Calls `done` once either way.
 */
function collect(
  res: IncomingMessage,
  encoding: string | null,
  limit: number,
  answer: BufferedResponse,
  done: () => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const failed = (error: unknown) => {
    answer.fail(error);
    done();
  };
  res.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) {
      chunks.push(chunk);
      return;
    }
    failed(senderFailure.overLimit(limit));
    res.destroy();
  });
  res.on("error", failed);
  res.on("close", () => {
    if (!res.complete) failed(senderFailure.closed());
  });
  res.on("end", () => {
    const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    try {
      answer.complete(encoding === null || raw.length === 0 ? raw : decode(raw, encoding, limit));
    } catch (error) {
      answer.fail(error);
    }
    done();
  });
}

/**
 * Decodes `raw` as fetch does: each content coding in turn, from the last; lenient about a truncated end;
 * deflate with or without its zlib wrapper. A coding it does not know leaves the body as it came.
 */
function decode(raw: Buffer, encoding: string, limit: number): Buffer {
  const codings = encoding
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (!codings.every((c) => c === "gzip" || c === "x-gzip" || c === "deflate" || c === "br")) return raw;
  const zlib = builtin<Zlib>("node:zlib");
  const { Z_SYNC_FLUSH, BROTLI_OPERATION_FLUSH } = zlib.constants;
  // One byte over the limit is enough to know: a body that inflates further is never held whole.
  const options = { finishFlush: Z_SYNC_FLUSH, maxOutputLength: limit + 1 };
  let body = raw;
  for (const coding of codings.reverse()) {
    try {
      if (coding === "br") {
        body = zlib.brotliDecompressSync(body, { finishFlush: BROTLI_OPERATION_FLUSH, maxOutputLength: limit + 1 });
      } else if (coding === "deflate") {
        body = zlibWrapped(body) ? zlib.inflateSync(body, options) : zlib.inflateRawSync(body, options);
      } else {
        body = zlib.gunzipSync(body, options);
      }
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw senderFailure.overLimit(limit);
      throw error;
    }
    if (body.length > limit) throw senderFailure.overLimit(limit);
  }
  return body;
}

/** A zlib stream's two-byte header (RFC 1950): compression method 8 and a check that divides by 31. */
function zlibWrapped(body: Buffer): boolean {
  const [cmf, flg] = body;
  return cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}

/** A built-in module loaded when first needed, from either module system (Jest's sandbox included). */
function builtin<T>(id: string): T {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  return (get ? get(id) : createRequire(`${process.cwd()}/`)(id)) as T;
}

/** What a Response may carry as its statusText: tab, space, visible ASCII and obs-text, or nothing. */
function reasonPhrase(text: string | undefined): string {
  return text !== undefined && /^[\t\x20-\x7e\x80-\xff]*$/.test(text) ? text : "";
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
