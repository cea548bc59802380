// @telnyx-voice/media outside Node (Deno, Workers, browsers; Bun resolves the Node build): accept() for standard
// WebSockets, bunWebSocket() for Bun.serve.
import { MediaStreamError } from "./errors.js";
import { MediaStreamsBase, type NodeUpgradeHandler, type NodeUpgradeOptions } from "./media-streams.js";

export * from "./exports.js";

/** Where Telnyx's media WebSockets arrive: see the README. */
export class MediaStreams extends MediaStreamsBase {
  /** Node only: this build (for runtimes without node:http) throws `node_only`; use `accept(socket)`. */
  nodeUpgrade(_options?: NodeUpgradeOptions): NodeUpgradeHandler {
    throw new MediaStreamError(
      "node_only",
      "nodeUpgrade() needs Node (node:http and ws); this is the build for other runtimes. Upgrade the request with the " +
        "runtime's own WebSocket API and hand the socket to media.accept(socket, { headers }).",
    );
  }
}
