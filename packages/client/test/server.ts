// A scripted HTTP server on 127.0.0.1 for the tests: each request gets the next reply and is recorded.
import { createServer, type IncomingHttpHeaders } from "node:http";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { Telnyx } from "../src/index.js";
import type { ClientOptions } from "../src/options.js";

export interface Recorded {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown> | undefined;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer (the client must give up or resend). */
  hang?: boolean;
  /** Close the connection without an answer. */
  destroy?: boolean;
  /** Answer after this many ms. */
  delay?: number;
  /** Send the headers, then `chunk` bytes every `every` ms until the client goes away (a body that never ends). */
  trickle?: { chunk: number; every: number };
  /** Send the headers, then this many bytes as fast as the client reads them (chunked unless `headers` say otherwise). */
  stream?: number;
  /** Send the body gzip-compressed (`content-encoding: gzip`), with its compressed length unless `chunked`. */
  gzip?: { chunked?: boolean };
  /** Declare the whole body's length, send only its first `cut` bytes, then close the connection. */
  cut?: number;
  /** Send the headers at once and the body this many ms later. */
  slowBody?: number;
}

export type Script = Reply[] | ((request: Recorded, index: number) => Reply);

export interface TestServer {
  url: string;
  requests: Recorded[];
  /** Connections currently open, idle keep-alive ones included. */
  openConnections(): number;
  /** Requests received whose response is not finished and whose connection is still open: attempts still alive. */
  pendingRequests(): number;
  /** Bytes of response bodies written by `stream` and `trickle` replies. */
  bodyBytesWritten(): number;
  close(): Promise<void>;
}

export async function startServer(script: Script): Promise<TestServer> {
  const requests: Recorded[] = [];
  let open = 0;
  let pending = 0;
  let written = 0;
  const server = createServer((req, res) => {
    pending++;
    // "close" comes when the response has been sent, or when the client closed the connection first.
    res.on("close", () => pending--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      let json: Record<string, unknown> | undefined;
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: Recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        text,
        json,
      };
      const index = requests.push(recorded) - 1;
      const reply: Reply = Array.isArray(script)
        ? (script[index] ?? {
            status: 599,
            body: { errors: [{ code: "0", title: `no scripted reply for request ${index + 1}` }] },
          })
        : script(recorded, index);
      if (reply.hang) return;
      if (reply.destroy) {
        req.socket.destroy();
        return;
      }
      const answer = () => {
        if (reply.trickle) {
          const { chunk, every } = reply.trickle;
          res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
          res.write("[");
          const timer = setInterval(() => {
            written += chunk;
            res.write(" ".repeat(chunk));
          }, every);
          res.on("close", () => clearInterval(timer));
          return;
        }
        if (reply.stream !== undefined) {
          res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
          const block = Buffer.alloc(64 * 1024, 0x20);
          let left = reply.stream;
          // Writes as fast as the client reads (backpressure), and stops when it goes away.
          const pump = () => {
            while (left > 0 && !res.destroyed) {
              const piece = left >= block.length ? block : block.subarray(0, left);
              left -= piece.length;
              written += piece.length;
              if (!res.write(piece)) return void res.once("drain", pump);
            }
            if (!res.destroyed) res.end();
          };
          pump();
          return;
        }
        const body =
          reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
        const headers = { "content-type": "application/json", ...reply.headers };
        if (reply.gzip) {
          const packed = gzipSync(body);
          const length = reply.gzip.chunked ? {} : { "content-length": String(packed.length) };
          res.writeHead(reply.status ?? 200, { ...headers, "content-encoding": "gzip", ...length });
          res.end(packed);
        } else if (reply.slowBody !== undefined) {
          res.writeHead(reply.status ?? 200, { ...headers, "content-length": String(Buffer.byteLength(body)) });
          res.flushHeaders();
          const timer = setTimeout(() => res.end(body), reply.slowBody);
          res.on("close", () => clearTimeout(timer));
        } else if (reply.cut !== undefined) {
          res.writeHead(reply.status ?? 200, { ...headers, "content-length": String(Buffer.byteLength(body)) });
          res.write(Buffer.from(body).subarray(0, reply.cut), () => res.destroy());
        } else {
          res.writeHead(reply.status ?? 200, headers);
          res.end(body);
        }
      };
      if (reply.delay) setTimeout(answer, reply.delay);
      else answer();
    });
  });
  server.on("connection", (socket) => {
    open++;
    socket.on("close", () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2`,
    requests,
    openConnections: () => open,
    pendingRequests: () => pending,
    bodyBytesWritten: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const API_KEY = "KEY_TEST_9f8e7d6c5b4a_SECRET";

/** A client for `server`, with backoff short enough that retry tests take milliseconds. */
export function clientFor(server: Pick<TestServer, "url">, options: ClientOptions = {}): Telnyx {
  return new Telnyx({ apiKey: API_KEY, baseURL: server.url, backoff: { initialDelay: 1, maxDelay: 5 }, ...options });
}

export const ok = (data: unknown = {}): Reply => ({ status: 200, body: { data } });

/**
 * Waits until `condition` holds, checking every 10 ms, for at most `limit` ms (a bound, not a timing
 * assertion: the condition is expected to hold almost at once). Returns whether it held.
 */
export async function eventually(condition: () => boolean, limit = 5_000): Promise<boolean> {
  for (const end = Date.now() + limit; !condition(); ) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

export function apiErrors(status: number, ...errors: Record<string, unknown>[]): Reply {
  return { status, body: { errors } };
}

/**
 * A TCP server on 127.0.0.1 that answers every request with `raw` bytes as they are (for answers node:http's
 * server will not write). `/v2` is its base URL.
 */
export async function startRawServer(raw: Buffer | string): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer: createTcpServer } = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let seen = "";
    socket.on("data", (chunk) => {
      seen += chunk.toString("latin1");
      if (!seen.includes("\r\n\r\n")) return;
      seen = "";
      socket.write(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
