// The node:http `upgrade` listener, over `ws` in noServer mode: the token is checked on the upgrade request
// itself, so a connection without it is answered 401 and no WebSocket is ever made for it.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Transport } from "./connection.js";
import type { Connection } from "./connection.js";
import type { NodeUpgradeHandler, NodeUpgradeOptions, NodeUpgradeRequest } from "./media-streams.js";

export interface UpgradeHost {
  authorized(request: NodeUpgradeRequest): boolean;
  refused(why: string): void;
  attach(transport: Transport): Connection;
  maxFrameBytes: number;
}

const REFUSAL =
  "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nunauthorized\n";

function pathOf(url: string | undefined): string {
  if (!url) return "/";
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

export function createNodeUpgrade(
  host: UpgradeHost,
  options: NodeUpgradeOptions,
  servers: Set<WebSocketServer>,
): NodeUpgradeHandler {
  // maxPayload: ws refuses a larger message as it arrives (closing with 1009), instead of buffering it whole.
  const server = new WebSocketServer({ noServer: true, maxPayload: host.maxFrameBytes, perMessageDeflate: false });
  servers.add(server);
  return (request, socket, head) => {
    if (options.path !== undefined && pathOf(request.url) !== options.path) return;
    // A reset while answering must not become an uncaught 'error' event.
    socket.on("error", () => {});
    if (!host.authorized(request)) {
      const given = request.headers["x-telnyx-streaming-auth-token"] !== undefined;
      host.refused(
        given ? "a wrong stream auth token header: answered 401" : "no stream auth token header: answered 401",
      );
      socket.write(REFUSAL);
      socket.destroy();
      return;
    }
    server.handleUpgrade(
      request as unknown as IncomingMessage,
      socket as unknown as Duplex,
      Buffer.from(head),
      (ws: WebSocket) => {
        const connection = host.attach({
          send: (text) => ws.send(text),
          close: (code, reason) => ws.close(code, reason),
          bufferedAmount: () => ws.bufferedAmount,
        });
        ws.on("message", (data, isBinary) => {
          if (isBinary) connection.binary();
          else connection.text(data.toString());
        });
        ws.on("close", (code, reason) => connection.socketClosed(code, reason.toString()));
        // ws emits 'error' before closing (for instance a message over maxPayload); the close event follows.
        ws.on("error", () => {});
      },
    );
  };
}
