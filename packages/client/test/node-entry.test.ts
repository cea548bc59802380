// What only the Node entry does: send with node:http(s) rather than fetch. (The rest of its behaviour is
// the whole suite, run against it by vitest.http.config.ts.)
import { readFileSync } from "node:fs";
import { createServer, globalAgent } from "node:https";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { Telnyx } from "../src/node.js";
import { API_KEY, ok, type TestServer, startServer } from "./server.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const realFetch = globalThis.fetch;
let server: TestServer | undefined;

afterEach(async () => {
  globalThis.fetch = realFetch;
  await server?.close();
});

test("calls are sent without fetch", async () => {
  server = await startServer(() => ok({ is_alive: true }));
  globalThis.fetch = () => Promise.reject(new Error("fetch was used"));
  const client = new Telnyx({ apiKey: API_KEY, baseURL: server.url });
  await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data: { is_alive: true } });
  expect(server.requests).toHaveLength(1);
});

test("https goes through node:https and its global agent (whose trusted CAs apply)", async () => {
  const tls = createServer({ key: fixture("localhost-key.pem"), cert: fixture("localhost-cert.pem") }, (req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: { is_alive: true, secure: (req.socket as { encrypted?: boolean }).encrypted } }));
    });
  });
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  const baseURL = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/v2`;
  const options = globalAgent.options as { ca?: unknown };
  try {
    // Not trusted yet: the certificate is self-signed.
    const refused = await new Telnyx({ apiKey: API_KEY, baseURL, maxRetries: 0 }).calls
      .retrieveStatus("v3:a")
      .catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/self-signed certificate/);
    options.ca = fixture("localhost-cert.pem");
    const answer = await new Telnyx({ apiKey: API_KEY, baseURL }).calls.retrieveStatus("v3:a");
    expect(answer).toEqual({ data: { is_alive: true, secure: true } });
  } finally {
    delete options.ca;
    tls.closeAllConnections();
    await new Promise((resolve) => tls.close(resolve));
  }
});
