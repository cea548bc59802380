// @telnyx-voice/media on Node: the same API, with nodeUpgrade() over ws.
import type { WebSocketServer } from "ws";
import type { NodeUpgradeHandler, NodeUpgradeOptions } from "./media-streams.js";
import { MediaStreamsBase } from "./media-streams.js";
import { createNodeUpgrade } from "./node-upgrade.js";

export * from "./exports.js";

/** Where Telnyx's media WebSockets arrive: see the README. */
export class MediaStreams extends MediaStreamsBase {
  readonly #servers = new Set<WebSocketServer>();

  nodeUpgrade(options: NodeUpgradeOptions = {}): NodeUpgradeHandler {
    return createNodeUpgrade(
      {
        authorized: (request) => this.headersAuthorized(request.headers),
        refused: (why) => this.report(this.unauthorized(why)),
        attach: (transport) => this.attach(transport, true),
        maxFrameBytes: this.maxFrameBytes,
      },
      options,
      this.#servers,
    );
  }

  override async close(): Promise<void> {
    await super.close();
    for (const server of this.#servers) server.close();
    this.#servers.clear();
  }
}
