// The WebSocket a media stream opens to the app's `stream_url`, as Telnyx opens it: a real client (the `ws`
// package), with the stream's auth token in the `x-telnyx-streaming-auth-token` header of the upgrade request.
// The engine bounds the attempt and closes every socket on stop(); media/session.ts speaks the protocol over it.
import WebSocket from "ws";

/**
 * The largest frame the app may send: Telnyx takes media chunks of up to 30 s ([asyncapi] Bidirectional Media),
 * which is 2.9 MB of L16 at 48 kHz, 3.9 MB as base64. A larger frame closes the socket (ws answers 1009).
 */
export const MAX_APP_FRAME_BYTES = 8 * 1024 * 1024;

export interface StreamSocketEvents {
  /** The upgrade succeeded (101). */
  open(): void;
  /** The attempt failed before opening: refused, unreachable, an answer other than 101... */
  fail(reason: string): void;
  /** A text frame from the app (binary frames are reported as such: Telnyx's frames are JSON text). */
  message(text: string, binary: boolean): void;
  /** The socket is closed for good (after `open`, `fail`, `close()` or `terminate()`): nothing more comes from it. */
  closed(): void;
}

export interface StreamSocket {
  /** Sends a text frame; nothing once the socket is closing. */
  send(text: string): void;
  /** Bytes queued in the socket and not yet written: what an app that does not read makes pile up. */
  readonly bufferedAmount: number;
  /** A clean close (1000) of an open socket. */
  close(): void;
  /** Drops the connection at once, or abandons the attempt. */
  terminate(): void;
}

/** Opens a stream's socket; swapped in tests of the engine that run without a network. */
export type StreamConnector = (
  url: string,
  headers: Record<string, string>,
  events: StreamSocketEvents,
) => StreamSocket;

export const connectWebSocket: StreamConnector = (url, headers, events) => {
  const ws = new WebSocket(url, {
    headers,
    perMessageDeflate: false,
    followRedirects: false,
    maxPayload: MAX_APP_FRAME_BYTES,
  });
  let opened = false;
  ws.on("open", () => {
    opened = true;
    events.open();
  });
  // ws reports an answer other than 101 as an error ("Unexpected server response: 403"); errors after the open
  // are followed by `close`, which is what the stream reacts to.
  ws.on("error", (error: Error) => {
    if (!opened) events.fail(error.message);
  });
  ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    events.message(buffer.toString("utf8"), isBinary);
  });
  ws.on("close", () => events.closed());
  return {
    send: (text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    close: () => ws.close(1000),
    terminate: () => ws.terminate(),
  };
};
