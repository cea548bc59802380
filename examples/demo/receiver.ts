// The app's webhook endpoint: a plain node:http server on 127.0.0.1 running a handler made by
// @telnyx-voice/webhooks (`webhooks.nodeHandler(...)`), which verifies every signature before the app sees it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Receiver {
  url: string;
  close(): Promise<void>;
}

export async function startReceiver(handler: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<Receiver> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
