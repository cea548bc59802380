// MediaStreams: where Telnyx's media WebSockets arrive. The token check, the handler every stream is given to,
// and `streamFor()`, which hands a call's stream to whoever waits for it (a flow's `call.mediaStream()`).
// The Node upgrade (over `ws`) is added by node.ts; this file runs on every runtime.
import { Connection, type ConnectionOwner, type Transport } from "./connection.js";
import { MediaStreamError } from "./errors.js";
import { type MediaStreamsOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import type { MediaStream, StreamSettings } from "./stream.js";
import { type HeadersLike, TokenCheck, tokenFromHeaders } from "./token.js";

/** A standard WebSocket (Deno, Workers, browsers; `ws` has the same methods): what `accept()` takes. */
export interface StandardWebSocketLike {
  readonly bufferedAmount?: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
}

/** What `bunWebSocket()` needs of Bun's `ServerWebSocket` (structural: no bun-types in the declarations). */
export interface BunServerWebSocketLike {
  readonly data: unknown;
  send(data: string): unknown;
  close(code?: number, reason?: string): void;
  getBufferedAmount?(): number;
}

/** The `websocket` option of `Bun.serve`. */
export interface BunWebSocketHandlers {
  open(ws: BunServerWebSocketLike): void;
  message(ws: BunServerWebSocketLike, message: string | Uint8Array): void;
  close(ws: BunServerWebSocketLike, code: number, reason: string): void;
}

/** What `nodeUpgrade()` needs of node:http's `IncomingMessage` (structural: no @types/node in the declarations). */
export interface NodeUpgradeRequest {
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** What `nodeUpgrade()` needs of the upgrade's socket (a node:stream Duplex). */
export interface NodeUpgradeSocket {
  write(data: string): unknown;
  destroy(): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** A listener for a node:http server's `upgrade` event. */
export type NodeUpgradeHandler = (request: NodeUpgradeRequest, socket: NodeUpgradeSocket, head: Uint8Array) => void;

export interface NodeUpgradeOptions {
  /** Only upgrades to this path are taken (others are left to the server's other `upgrade` listeners). */
  path?: string | undefined;
}

/** Handles each stream once its `start` frame has come: `stream.start` is there from the first line. */
export type StreamHandler = (stream: MediaStream) => unknown;

interface Waiter {
  id: string;
  resolve: (stream: MediaStream) => void;
  reject: (error: MediaStreamError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export abstract class MediaStreamsBase {
  readonly #options: ResolvedOptions;
  readonly #token: TokenCheck | undefined;
  readonly #connections = new Set<Connection>();
  readonly #streams = new Map<string, MediaStream>();
  #waiters: Waiter[] = [];
  #handler: StreamHandler | undefined;
  readonly #owner: ConnectionOwner;

  constructor(options: MediaStreamsOptions = {}) {
    this.#options = resolveOptions(options);
    this.#token = this.#options.token === undefined ? undefined : new TokenCheck(this.#options.token);
    const o = this.#options;
    const settings: StreamSettings = {
      reorderWindow: o.reorderWindow,
      maxGapFillMs: o.maxGapFillMs,
      byteOrder: o.l16ByteOrder,
      playback: o.playback,
      playChunkMs: o.playChunkMs,
      playAheadMs: o.playAheadMs,
      maxQueuedPlaybackMs: o.maxQueuedPlaybackMs,
    };
    this.#owner = {
      token: this.#token,
      settings,
      startTimeoutMs: o.startTimeoutMs,
      maxFrameBytes: o.maxFrameBytes,
      report: (error) => this.report(error),
      started: (stream) => this.#started(stream),
      closed: (connection) => this.#connections.delete(connection),
    };
  }

  /** Sets the function each stream is handed to (once its `start` has come). Returns `this`. */
  handle(handler: StreamHandler): this {
    if (typeof handler !== "function")
      throw new MediaStreamError("invalid_option", "handle() takes a function (stream) => ...");
    this.#handler = handler;
    return this;
  }

  /** Streams open now, by stream_id. */
  get streams(): ReadonlyMap<string, MediaStream> {
    return this.#streams;
  }

  /**
   * Accepts a standard WebSocket (Deno's `Deno.upgradeWebSocket`, a Workers `WebSocketPair`). Give the upgrade
   * request's `headers` when you have them: the token is checked there and the stream may start at once (check
   * them before upgrading with `refusal()` to answer 401). Without them, the token is read from the `connected`
   * frame, and a connection without the right one is closed (1008).
   */
  accept(socket: StandardWebSocketLike, options: { headers?: HeadersLike | undefined } = {}): void {
    const connection = this.#open(
      {
        send: (text) => socket.send(text),
        close: (code, reason) => socket.close(code, reason),
        bufferedAmount: () => socket.bufferedAmount ?? 0,
      },
      options.headers,
    );
    if (!connection) return;
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") connection.text(event.data);
      else connection.binary();
    });
    socket.addEventListener("close", (event) => connection.socketClosed(event.code, event.reason));
  }

  /**
   * Bun: the `websocket` handlers of `Bun.serve` (whose sockets are not standard WebSockets). Upgrade with
   * `server.upgrade(request, { data: { headers: request.headers } })` after `refusal(request.headers)`; without
   * `data.headers` the token is read from the `connected` frame, as `accept()` does.
   */
  bunWebSocket(): BunWebSocketHandlers {
    const connections = new WeakMap<BunServerWebSocketLike, Connection>();
    return {
      open: (ws) => {
        const connection = this.#open(
          {
            send: (text) => {
              ws.send(text);
            },
            close: (code, reason) => ws.close(code, reason),
            bufferedAmount: () => ws.getBufferedAmount?.() ?? 0,
          },
          (ws.data as { headers?: HeadersLike } | undefined)?.headers,
        );
        if (connection) connections.set(ws, connection);
      },
      message: (ws, message) => {
        const connection = connections.get(ws);
        if (!connection) return;
        if (typeof message === "string") connection.text(message);
        else connection.binary();
      },
      close: (ws, code, reason) => {
        connections.get(ws)?.socketClosed(code, reason);
        connections.delete(ws);
      },
    };
  }

  /** A socket's Connection once the upgrade's headers (when given) carry the right token; else it is closed. */
  #open(transport: Transport, headers: HeadersLike | undefined): Connection | undefined {
    let authenticated = false;
    if (headers !== undefined && this.#token) {
      const given = tokenFromHeaders(headers);
      if (given !== undefined) {
        if (!this.#token.matches(given)) {
          this.report(this.#unauthorized("a stream auth token header that does not match: it was closed (1008)"));
          transport.close(1008, "unauthorized");
          return undefined;
        }
        authenticated = true;
      }
    }
    return this.attach(transport, authenticated);
  }

  /**
   * For runtimes that upgrade from a Fetch `Request` (Deno, Bun, Workers): a 401 `Response` to return instead of
   * upgrading when the request's token is missing or wrong; `undefined` when it may be upgraded.
   */
  refusal(headers: HeadersLike): Response | undefined {
    if (!this.#token) return undefined;
    const given = tokenFromHeaders(headers);
    if (this.#token.matches(given)) return undefined;
    this.report(
      this.#unauthorized(
        given === undefined ? "no stream auth token header: answered 401" : "a wrong stream auth token: answered 401",
      ),
    );
    return new Response("unauthorized\n", { status: 401, headers: { "content-type": "text/plain" } });
  }

  /**
   * A listener for a node:http server's `upgrade` event, over `ws`: the token is checked on the upgrade request
   * and a connection without the right one is answered 401 and never upgraded. Node only (the "node" export).
   */
  abstract nodeUpgrade(options?: NodeUpgradeOptions): NodeUpgradeHandler;

  /**
   * The stream of a call, by its call_control_id (or by stream_id): at once when it is open, else when its
   * `start` comes, within `timeoutMs` (default 10000; rejects with `stream_wait_timeout`).
   */
  streamFor(id: string, options: { timeoutMs?: number | undefined } = {}): Promise<MediaStream> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (typeof id !== "string" || id === "" || !Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > 3_600_000) {
      return Promise.reject(
        new MediaStreamError(
          "invalid_option",
          "streamFor(id, { timeoutMs }) takes a call_control_id or stream_id and 0 to 3600000 ms.",
        ),
      );
    }
    const open = this.#find(id);
    if (open) return Promise.resolve(open);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        id,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(
            new MediaStreamError(
              "stream_wait_timeout",
              `No media stream for ${id} started within ${timeoutMs} ms. Check that the command set stream_url to this server ` +
                "and that streaming.started came (a streaming.failed says why Telnyx could not connect).",
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Closes every stream and stops taking new ones (pending `streamFor()` calls reject). */
  async close(): Promise<void> {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(
        new MediaStreamError("stream_wait_timeout", `MediaStreams closed while waiting for a stream for ${waiter.id}.`),
      );
    }
    this.#waiters = [];
    const ended = [...this.#streams.values()].map((stream) => stream.ended);
    for (const stream of this.#streams.values()) stream.close();
    for (const connection of this.#connections) connection.close(1001, "server closing");
    await Promise.all(ended);
  }

  /** @internal A socket whose token was checked (or need not be): frames go to a new Connection. */
  protected attach(transport: Transport, authenticated: boolean): Connection {
    const connection = new Connection(transport, this.#owner, authenticated);
    this.#connections.add(connection);
    return connection;
  }

  /** @internal Whether the headers of an upgrade request carry the right token (true when none is configured). */
  protected headersAuthorized(headers: HeadersLike): boolean {
    return !this.#token || this.#token.matches(tokenFromHeaders(headers));
  }

  /** @internal */
  protected get maxFrameBytes(): number {
    return this.#options.maxFrameBytes;
  }

  /** @internal Reports to onError; an onError that throws is not let to break the frames. */
  protected report(error: MediaStreamError): void {
    try {
      this.#options.onError(error);
    } catch {
      // onError's own failure has nowhere better to go.
    }
  }

  /** @internal */
  protected unauthorized(why: string): MediaStreamError {
    return this.#unauthorized(why);
  }

  #unauthorized(why: string): MediaStreamError {
    return new MediaStreamError(
      "unauthorized",
      `A media WebSocket came with ${why}. Give Telnyx the same stream_auth_token (on dial, answer or streaming_start) as ` +
        "MediaStreams' authToken (or TELNYX_STREAM_AUTH_TOKEN).",
    );
  }

  #find(id: string): MediaStream | undefined {
    let found: MediaStream | undefined;
    for (const stream of this.#streams.values()) {
      if (!stream.isEnded && (stream.streamId === id || stream.callControlId === id)) found = stream; // the newest wins
    }
    return found;
  }

  #started(stream: MediaStream): void {
    this.#streams.set(stream.streamId, stream);
    void stream.ended.then(() => {
      if (this.#streams.get(stream.streamId) === stream) this.#streams.delete(stream.streamId);
    });
    const waiting = this.#waiters.filter((w) => w.id === stream.streamId || w.id === stream.callControlId);
    if (waiting.length > 0) {
      this.#waiters = this.#waiters.filter((w) => !waiting.includes(w));
      for (const waiter of waiting) {
        clearTimeout(waiter.timer);
        waiter.resolve(stream);
      }
    }
    const handler = this.#handler;
    if (!handler) return;
    const failed = (error: unknown) =>
      this.report(
        new MediaStreamError(
          "handler_failed",
          `The stream handler failed on stream ${stream.streamId}: ${error instanceof Error ? error.message : String(error)}. ` +
            "The stream stays open (close it with stream.close() if it should end).",
          { streamId: stream.streamId },
        ),
      );
    try {
      const result = handler(stream);
      if (result && typeof (result as PromiseLike<unknown>).then === "function")
        (result as PromiseLike<unknown>).then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }
}
