// Behind a proxy: the client sends with fetch, so on Node undici's dispatchers apply to it. A real forward
// proxy (the `proxy` package) on loopback between the client and a real test server; each test asserts
// that the proxy saw the request and that the server got it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createProxy } from "proxy";
import { type Dispatcher, EnvHttpProxyAgent, getGlobalDispatcher, ProxyAgent, setGlobalDispatcher } from "undici";
import { afterEach, beforeEach, expect, test } from "vitest";
import { APIConnectionError, Telnyx } from "../src/index.js";
import { API_KEY, ok, type TestServer, startServer } from "./server.js";

interface Proxy {
  url: string;
  /** `METHOD target` of every request the proxy took: `CONNECT 127.0.0.1:port` for a tunnel. */
  seen: string[];
  close(): Promise<void>;
}

/** A forward proxy on 127.0.0.1; `allow: false` answers every request 407 (authentication required). */
async function startProxy(allow = true): Promise<Proxy> {
  const seen: string[] = [];
  const proxy = createProxy(createServer());
  // The package calls this for every request it takes, tunnels included: where the test sees them.
  proxy.authenticate = (req) => {
    seen.push(`${req.method} ${req.url}`);
    return allow;
  };
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

const DIAL = { connection_id: "conn", from: "+13125550001", to: "+13125550002" };
const original = getGlobalDispatcher();
let server: TestServer;
let proxy: Proxy;
let agent: Dispatcher | undefined;

beforeEach(async () => {
  server = await startServer(() => ok({ call_control_id: "v3:proxied" }));
  proxy = await startProxy();
});

afterEach(async () => {
  setGlobalDispatcher(original);
  await agent?.close();
  agent = undefined;
  await proxy.close();
  await server.close();
});

/** The server's host:port, as a tunnel through the proxy names it. */
const target = () => new URL(server.url).host;

test("setGlobalDispatcher(new ProxyAgent(url)): the client's requests go through the proxy", async () => {
  agent = new ProxyAgent(proxy.url);
  setGlobalDispatcher(agent);
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: server.url });
  await expect(telnyx.calls.dial(DIAL)).resolves.toEqual({ data: { call_control_id: "v3:proxied" } });
  expect(proxy.seen).toEqual([`CONNECT ${target()}`]);
  const [sent] = server.requests;
  expect(sent?.path).toBe("/v2/calls");
  expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  expect(sent?.json).toMatchObject(DIAL);
});

test("EnvHttpProxyAgent: the proxy named by HTTP_PROXY is used", async () => {
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
  process.env.HTTP_PROXY = proxy.url;
  delete process.env.NO_PROXY;
  try {
    agent = new EnvHttpProxyAgent();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  setGlobalDispatcher(agent);
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: server.url });
  await expect(telnyx.calls.retrieveStatus("v3:a")).resolves.toEqual({ data: { call_control_id: "v3:proxied" } });
  expect(proxy.seen).toEqual([`CONNECT ${target()}`]);
  expect(server.requests.map((r) => r.path)).toEqual(["/v2/calls/v3:a"]);
});

/** The README's `fetch` option for one client behind a proxy: Node's fetch takes undici's `dispatcher`. */
const through = (dispatcher: Dispatcher) => (url: string, init: RequestInit) =>
  fetch(url, { ...init, dispatcher } as RequestInit);

test("the fetch option: one client through the proxy, the global dispatcher left alone", async () => {
  const dispatcher = new ProxyAgent(proxy.url);
  agent = dispatcher;
  const proxied = new Telnyx({ apiKey: API_KEY, baseURL: server.url, fetch: through(dispatcher) });
  const direct = new Telnyx({ apiKey: API_KEY, baseURL: server.url });
  await expect(proxied.calls.dial(DIAL)).resolves.toEqual({ data: { call_control_id: "v3:proxied" } });
  expect(proxy.seen).toEqual([`CONNECT ${target()}`]);
  await direct.calls.dial(DIAL);
  expect(proxy.seen).toHaveLength(1);
  expect(server.requests).toHaveLength(2);
});

test("through the proxy, a retry resends the same command_id", async () => {
  await server.close();
  server = await startServer([{ status: 503 }, ok({ call_control_id: "v3:second" })]);
  agent = new ProxyAgent(proxy.url);
  setGlobalDispatcher(agent);
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: server.url, backoff: { initialDelay: 1, maxDelay: 1 } });
  await expect(telnyx.calls.dial(DIAL)).resolves.toEqual({ data: { call_control_id: "v3:second" } });
  const [first, second] = server.requests.map((r) => r.json?.command_id);
  expect(server.requests).toHaveLength(2);
  expect(typeof first).toBe("string");
  expect(second).toBe(first);
  // The dispatcher reaches the server only through tunnels (one kept alive, or one per attempt).
  expect(proxy.seen.length).toBeGreaterThanOrEqual(1);
  expect(new Set(proxy.seen)).toEqual(new Set([`CONNECT ${target()}`]));
});

test("a proxy that refuses the tunnel is an APIConnectionError saying so, without the key", async () => {
  await proxy.close();
  proxy = await startProxy(false);
  agent = new ProxyAgent(proxy.url);
  setGlobalDispatcher(agent);
  const error = await new Telnyx({ apiKey: API_KEY, baseURL: server.url, maxRetries: 0 }).calls
    .retrieveStatus("v3:a")
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(APIConnectionError);
  expect((error as Error).message).toMatch(/failed: fetch failed: .*407.*Check the network, the proxy if any/);
  expect((error as Error).message).not.toContain(API_KEY);
  expect(proxy.seen).toEqual([`CONNECT ${target()}`]);
  expect(server.requests).toHaveLength(0);
});
