// The WebSocket a media stream opens to the app's `stream_url`, as Telnyx opens it: a real client (the `ws`
// package), with the stream's auth token in the `x-telnyx-streaming-auth-token` header of the upgrade request.
// Only the connection for now: no frames are sent. The engine bounds the attempt and closes every socket on stop().
import WebSocket from "ws";

export interface StreamSocketEvents {
  /** The upgrade succeeded (101). */
  open(): void;
  /** The attempt failed before opening: refused, unreachable, an answer other than 101... */
  fail(reason: string): void;
  /** The socket is closed for good (after `open`, `fail`, `close()` or `terminate()`): nothing more comes from it. */
  closed(): void;
}

export interface StreamSocket {
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
  const ws = new WebSocket(url, { headers, perMessageDeflate: false, followRedirects: false });
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
  ws.on("close", () => events.closed());
  return {
    close: () => ws.close(1000),
    terminate: () => ws.terminate(),
  };
};
