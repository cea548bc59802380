// Middleware gets what its type says: the client's LightRequest. What openapi-fetch documents works
// (returning a new Request, or a Response), `clone()` works, and anything else is refused clearly.
import { afterEach, describe, expect, test } from "vitest";
import { APIConnectionTimeoutError, type LightRequest, type Middleware, TelnyxError } from "../src/index.js";
import { API_KEY, clientFor, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

describe("onRequest", () => {
  test("returning a new Request, as openapi-fetch documents, sends that request", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    telnyx.raw.use({
      async onRequest({ request }) {
        const headers = new Headers(request.headers);
        headers.set("x-replaced", "yes");
        return new Request(request.url, { method: request.method, headers, body: request.body as string });
      },
    });
    await telnyx.calls.actions.speak("v3:a", { payload: "hi", voice: "female" });
    const [sent] = server.requests;
    expect(sent?.headers["x-replaced"]).toBe("yes");
    expect(sent?.json).toMatchObject({ payload: "hi", voice: "female" });
    expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test("clone() gives an independent copy; returning it sends it", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    let original: LightRequest | undefined;
    telnyx.raw.use({
      onRequest({ request }) {
        original = request;
        const copy = request.clone();
        copy.headers.set("x-copy", "1");
        return copy;
      },
    });
    await telnyx.calls.retrieveStatus("v3:a");
    expect(original?.headers.has("x-copy")).toBe(false);
    expect(server.requests[0]?.headers["x-copy"]).toBe("1");
  });

  test("returning a Response answers without sending", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    telnyx.raw.use({
      onRequest: () => Response.json({ data: { call_control_id: "cached", is_alive: true } }),
    });
    await expect(telnyx.calls.retrieveStatus("v3:a")).resolves.toEqual({
      data: { call_control_id: "cached", is_alive: true },
    });
    expect(server.requests).toHaveLength(0);
  });

  test("returning anything else is a TelnyxError that says what may be returned", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    telnyx.raw.use({ onRequest: () => ({ url: "http://elsewhere" }) as never });
    const error = await telnyx.calls.retrieveStatus("v3:a").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelnyxError);
    expect((error as Error).message).toBe(
      "Middleware onRequest returned Object; it may return nothing, a LightRequest or Request to send instead, or a Response.",
    );
    expect(server.requests).toHaveLength(0);
  });

  test("middleware never sees the key: Authorization is added as each attempt is sent", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    const seen: string[] = [];
    telnyx.raw.use({
      onRequest({ request }) {
        request.headers.forEach((value, name) => void seen.push(`${name}: ${value}`));
      },
    });
    await telnyx.calls.retrieveStatus("v3:a");
    expect(seen.join("\n")).not.toContain(API_KEY);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test("use() refuses what is not middleware; eject() removes it", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    expect(() => telnyx.raw.use({} as Middleware)).toThrow(TelnyxError);
    expect(() => telnyx.raw.use({ onRequest: "no" } as never)).toThrow(TelnyxError);
    const m: Middleware = { onRequest: ({ request }) => void request.headers.set("x-m", "1") };
    telnyx.raw.use(m);
    await telnyx.calls.retrieveStatus("v3:a");
    telnyx.raw.eject(m);
    await telnyx.calls.retrieveStatus("v3:a");
    expect(server.requests.map((r) => r.headers["x-m"])).toEqual(["1", undefined]);
  });
});

describe("onResponse and onError", () => {
  test("onResponse sees the last response once, after the retries", async () => {
    server = await startServer([{ status: 503 }, ok({ id: "x" })]);
    const telnyx = clientFor(server);
    const statuses: number[] = [];
    telnyx.raw.use({ onResponse: ({ response }) => void statuses.push(response.status) });
    await telnyx.calls.retrieveStatus("v3:a");
    expect(statuses).toEqual([200]);
  });

  test("onError sees the client's error and may answer instead", async () => {
    server = await startServer(() => ({ hang: true }));
    const telnyx = clientFor(server, { timeout: 30, maxRetries: 0 });
    const errors: unknown[] = [];
    telnyx.raw.use({
      onError({ error }) {
        errors.push(error);
        return Response.json({ data: { fallback: true } });
      },
    });
    await expect(telnyx.calls.retrieveStatus("v3:a")).resolves.toEqual({ data: { fallback: true } });
    expect(errors[0]).toBeInstanceOf(APIConnectionTimeoutError);
  });
});

describe("telnyx.raw's init", () => {
  test("takes this client's request options and per-call middleware", async () => {
    server = await startServer([{ status: 503 }, ok({ id: "x" })]);
    const telnyx = clientFor(server);
    const { data, response } = await telnyx.raw.GET("/calls/{call_control_id}", {
      params: { path: { call_control_id: "v3:a" } },
      maxRetries: 1,
      headers: { "x-trace": "t" },
      middleware: [{ onRequest: ({ request }) => void request.headers.set("x-call", "1") }],
    });
    expect(data).toEqual({ data: { id: "x" } });
    expect(response.status).toBe(200);
    expect(server.requests.map((r) => [r.headers["x-trace"], r.headers["x-call"]])).toEqual([
      ["t", "1"],
      ["t", "1"],
    ]);
  });

  test.each([
    ["redirect", "follow", "redirects are never followed"],
    ["parseAs", "stream", "bodies are read as JSON within `timeout` and `maxResponseBytes`"],
    ["fetch", fetch, "pass `fetch` to new Telnyx({ fetch })"],
    ["baseUrl", "http://elsewhere", "create another Telnyx client"],
    ["keepalive", true, "it takes params, body, headers, signal"],
  ])("refuses %s rather than silently ignore it", async (key, value, hint) => {
    server = await startServer(() => ok());
    const init = { params: { path: { call_control_id: "v3:a" } }, [key]: value };
    const error = await clientFor(server)
      .raw.GET("/calls/{call_control_id}", init as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelnyxError);
    expect((error as Error).message).toMatch(new RegExp(`^telnyx\\.raw does not take the "${key}" option: `));
    expect((error as Error).message).toContain(hint);
    expect(server.requests).toHaveLength(0);
  });
});

test("raw headers with a line break are refused by name, never quoted", async () => {
  server = await startServer(() => ok());
  const error = await clientFor(server)
    .raw.GET("/calls/{call_control_id}", {
      params: { path: { call_control_id: "v3:a" } },
      headers: { "x-token": "s3cr3t\r\nx-injected: 1" },
    })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TelnyxError);
  expect((error as Error).message).toBe(
    'GET /calls/{call_control_id} header "x-token" has a line break, a NUL or a non-Latin-1 character in its value',
  );
  expect(server.requests).toHaveLength(0);
});
