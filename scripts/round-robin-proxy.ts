// A round-robin HTTP load balancer on loopback, as Telnyx's webhooks meet one in front of many instances:
// each request goes to the next live upstream; an upstream that refuses or drops a connection is taken out
// of the rotation (a passive health check) and the request is answered 502, so the sender delivers again.
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  url: string;
  /** Puts an upstream (a new instance) into the rotation. */
  add(port: number): void;
  /** How many requests each upstream got, by port. */
  readonly sent: Map<number, number>;
  close(): Promise<void>;
}

export async function startProxy(ports: readonly number[]): Promise<RoundRobinProxy> {
  const live = [...ports];
  const sent = new Map<number, number>(ports.map((p) => [p, 0]));
  const agent = new Agent({ keepAlive: true });
  let next = 0;

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const port = live[next++ % live.length];
    if (port === undefined) {
      res.writeHead(503).end("no upstream");
      req.resume();
      return;
    }
    sent.set(port, (sent.get(port) ?? 0) + 1);
    const upstream = request(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    upstream.on("error", () => {
      const at = live.indexOf(port);
      if (at >= 0) live.splice(at, 1);
      if (!res.headersSent) res.writeHead(502).end("upstream failed");
      else res.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer(forward);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    add(port: number) {
      if (!live.includes(port)) live.push(port);
      sent.set(port, sent.get(port) ?? 0);
    },
    url: `http://127.0.0.1:${port}/webhooks`,
    sent,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
