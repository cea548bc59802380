// One webhook POST over node:http(s) with keep-alive agents. The dispatcher used global fetch before; under
// 200 concurrent calls undici's per-request machinery (Request/Response objects, web streams, an
// AbortController each) was the largest share of the simulator's event-loop time, and every millisecond of
// a loop turn delays the next accept() (libuv accepts one connection per turn), i.e. other clients' commands.
import { type ClientRequest, Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface PostResult {
  status: number;
}

export class WebhookPoster {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });
  private readonly inFlight = new Set<ClientRequest>();

  /** Resolves with the status, or rejects with a network error or `no response within ${timeoutMs} ms`. */
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === "https:";
      const send = secure ? httpsRequest : httpRequest;
      const req = send(target, {
        method: "POST",
        agent: secure ? this.https : this.http,
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      });
      this.inFlight.add(req);
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(req);
        outcome();
      };
      const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
      req.on("response", (res) => {
        // Drain the body so the keep-alive socket goes back to the pool.
        res.resume();
        res.on("end", () => settle(() => resolve({ status: res.statusCode ?? 0 })));
        res.on("error", (error) => settle(() => reject(error)));
        res.on("close", () => settle(() => reject(new Error("the connection closed before the response ended"))));
      });
      req.on("error", (error) => settle(() => reject(error)));
      req.end(body);
    });
  }

  /** Aborts every request in flight and closes pooled sockets. */
  close(): void {
    for (const req of this.inFlight) req.destroy(new Error("the simulator stopped"));
    this.inFlight.clear();
    this.http.destroy();
    this.https.destroy();
  }
}
