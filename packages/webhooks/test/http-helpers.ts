// Real HTTP on 127.0.0.1: servers for the handlers under test and a client that can send chunked bodies.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export async function listen(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** node:http in front of a Fetch handler, streaming the request body (as Deno or Bun would). */
export function fetchServer(handler: (request: Request) => Promise<Response>): Server {
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const init: RequestInit & { duplex?: "half" } = { method: req.method ?? "GET", headers };
    if (hasBody) {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = "half";
    }
    const response = await handler(new Request(`http://127.0.0.1${req.url ?? "/"}`, init));
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    res.end(Buffer.from(await response.arrayBuffer()));
  });
}

/** POSTs `body`; `chunked` sends it in pieces without a content-length. */
export function post(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
  options: { chunked?: boolean; method?: string; contentType?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const bytes = Buffer.from(body);
    const all: Record<string, string> = { "content-type": options.contentType ?? "application/json", ...headers };
    if (!options.chunked) all["content-length"] = String(bytes.length);
    const req = request(url, { method: options.method ?? "POST", headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }),
      );
      res.on("error", reject);
    });
    // A server that answers early (413) may close the socket while we are still writing.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    if (options.chunked) {
      for (let i = 0; i < bytes.length; i += 1000) req.write(bytes.subarray(i, i + 1000));
      req.end();
    } else {
      req.end(bytes);
    }
  });
}

/**
 * Starts a POST whose chunked body never ends: one chunk, then silence. Resolves with the answer and a
 * promise that settles when the server closes the connection.
 */
export function postEndless(
  url: string,
  headers: Record<string, string>,
  firstChunk: string,
): Promise<Reply & { closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let closed!: () => void;
    const closedPromise = new Promise<void>((r) => {
      closed = r;
    });
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } });
    req.on("socket", (socket) => socket.on("close", () => closed()));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          headers: res.headers,
          closed: closedPromise,
        }),
      );
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    req.write(firstChunk); // chunked: no content-length, and req.end() is never called
  });
}

/** How a response ended: complete (status and body), or cut off after its headers, or before them. */
export type Outcome =
  | { ended: "complete"; status: number; body: string }
  | { ended: "abnormally"; status: number | undefined; received: string };

/** POSTs `body` and reports whether the response arrived whole, rather than failing on a cut connection. */
export function postOutcome(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const bytes = Buffer.from(body);
    const all = { "content-type": "application/json", "content-length": String(bytes.length), ...headers };
    let status: number | undefined;
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (outcome: Outcome) => {
      if (!done) resolve(outcome);
      done = true;
    };
    const cut = () => finish({ ended: "abnormally", status, received: Buffer.concat(chunks).toString() });
    const req = request(url, { method: "POST", headers: all }, (res) => {
      status = res.statusCode;
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", cut);
      res.on("close", () => {
        if (res.complete) finish({ ended: "complete", status: status ?? 0, body: Buffer.concat(chunks).toString() });
        else cut();
      });
    });
    req.on("error", cut);
    req.end(bytes);
  });
}
