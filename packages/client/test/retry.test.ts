import { afterEach, describe, expect, test, vi } from "vitest";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  InternalServerError,
  RateLimitError,
} from "../src/index.js";
import { serverDelay } from "../src/retry.js";
import { apiErrors, clientFor, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

const DIAL = { connection_id: "conn-1", from: "+13125550001", to: "+13125550002" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A backoff so long that a test only finishes if the server's Retry-After was used instead. */
const GLACIAL = { initialDelay: 3_600_000, maxDelay: 3_600_000 };

describe("command_id", () => {
  test("dial: one generated command_id, identical on every retry", async () => {
    server = await startServer([apiErrors(503), apiErrors(500), ok({ call_control_id: "v3:new" })]);
    const res = await clientFor(server).calls.dial(DIAL);
    expect(res.data.call_control_id).toBe("v3:new");
    expect(server.requests).toHaveLength(3);
    const ids = server.requests.map((r) => r.json?.command_id);
    expect(ids[0]).toMatch(UUID);
    expect(new Set(ids).size).toBe(1);
    expect(server.requests.map((r) => r.text)).toEqual(Array(3).fill(server.requests[0]?.text));
  });

  test("each logical command gets its own id", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    await telnyx.calls.actions.hangup("v3:a");
    await telnyx.calls.actions.hangup("v3:a");
    const [a, b] = server.requests.map((r) => r.json?.command_id);
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  test("without crypto.randomUUID (plain-http pages) a v4 UUID is still generated", async () => {
    server = await startServer(() => ok());
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: (a: Uint8Array) => real.getRandomValues(a) });
    try {
      await clientFor(server).calls.actions.hangup("v3:a");
    } finally {
      vi.unstubAllGlobals();
    }
    expect(server.requests[0]?.json?.command_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  test("a caller's command_id is kept and repeated", async () => {
    server = await startServer([{ destroy: true }, ok()]);
    await clientFor(server).calls.actions.speak("v3:a", { payload: "hi", voice: "female", command_id: "mine-1" });
    expect(server.requests.map((r) => r.json?.command_id)).toEqual(["mine-1", "mine-1"]);
  });

  test("commandTimeout: an unanswered command is resent at once with the same command_id", async () => {
    server = await startServer([{ hang: true }, ok({ result: "ok" })]);
    const telnyx = clientFor(server, { backoff: GLACIAL });
    const res = await telnyx.calls.actions.answer("v3:a", undefined, { commandTimeout: 100 });
    expect(res.data).toEqual({ result: "ok" });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.json?.command_id).toBe(server.requests[0]?.json?.command_id);
  });
});

describe("what is retried", () => {
  test("Retry-After in seconds is honoured over the backoff", async () => {
    server = await startServer([
      { status: 429, headers: { "retry-after": "0" }, body: { errors: [] } },
      ok({ id: "x" }),
    ]);
    const res = await clientFor(server, { backoff: GLACIAL }).calls.retrieveStatus("v3:a");
    expect(res.data).toEqual({ id: "x" });
    expect(server.requests).toHaveLength(2);
  });

  test("retry-after-ms and an HTTP-date Retry-After are honoured", async () => {
    const past = new Date(Date.now() - 1000).toUTCString();
    server = await startServer([
      { status: 503, headers: { "retry-after-ms": "1" } },
      { status: 503, headers: { "retry-after": past } },
      ok({ id: "y" }),
    ]);
    const res = await clientFor(server, { backoff: GLACIAL }).calls.retrieveStatus("v3:a");
    expect(res.data).toEqual({ id: "y" });
    expect(server.requests).toHaveLength(3);
  });

  test("a Retry-After longer than a call can wait is not retried early: the 429 is thrown", async () => {
    server = await startServer([
      { ...apiErrors(429), headers: { "retry-after": "120" } },
      ok({ call_control_id: "v3:late" }),
    ]);
    await expect(clientFor(server).calls.retrieveStatus("v3:a")).rejects.toMatchObject({
      name: "RateLimitError",
      status: 429,
    });
    expect(server.requests).toHaveLength(1);
  });

  test("per-request options are checked: a NaN maxRetries would retry for ever", async () => {
    server = await startServer([apiErrors(503)]);
    const client = clientFor(server);
    await expect(client.calls.retrieveStatus("v3:a", { maxRetries: Number.NaN })).rejects.toThrow(
      'option "maxRetries" is NaN (a number), expected a whole number >= 0',
    );
    await expect(client.calls.retrieveStatus("v3:a", { timeout: 0 })).rejects.toThrow(
      /option "timeout" is 0 \(a number\)/,
    );
    expect(server.requests).toHaveLength(0);
  });

  test("serverDelay parses every form", () => {
    const h = (init: Record<string, string>) => new Headers(init);
    expect(serverDelay(h({ "retry-after": "2" }))).toBe(2000);
    expect(serverDelay(h({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(
      serverDelay(h({ "retry-after": "Wed, 21 Oct 2015 07:28:10 GMT" }), Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
    ).toBe(10_000);
    expect(serverDelay(h({ "retry-after": "soon" }))).toBeUndefined();
    expect(serverDelay(h({ "retry-after": "-1" }))).toBeUndefined();
    // Parsed as given; shouldRetry decides that it is longer than a call should stall.
    expect(serverDelay(h({ "retry-after": "3600" }))).toBe(3_600_000);
    expect(serverDelay(h({}))).toBeUndefined();
  });

  test.each([408, 409, 429, 500, 502, 503, 504])("GET is retried on %i", async (status) => {
    server = await startServer([apiErrors(status), ok({ id: "z" })]);
    await expect(clientFor(server).calls.retrieveStatus("v3:a")).resolves.toEqual({ data: { id: "z" } });
    expect(server.requests).toHaveLength(2);
  });

  test.each([400, 401, 403, 404, 422])("%i is not retried", async (status) => {
    server = await startServer(() => apiErrors(status));
    await expect(clientFor(server).calls.dial(DIAL)).rejects.toMatchObject({ status });
    expect(server.requests).toHaveLength(1);
  });

  test("default is 2 retries, then the last error is thrown", async () => {
    server = await startServer(() => apiErrors(500, { code: "1", title: "Boom" }));
    await expect(clientFor(server).calls.dial(DIAL)).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(3);
  });

  test("maxRetries per client and per request", async () => {
    server = await startServer(() => apiErrors(503));
    const telnyx = clientFor(server, { maxRetries: 4 });
    await expect(telnyx.calls.retrieveStatus("v3:a")).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(5);
    await expect(telnyx.calls.retrieveStatus("v3:a", { maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(6);
  });

  test("a create (no command_id) is not retried on a 500: it may have been processed", async () => {
    server = await startServer(() => apiErrors(500));
    await expect(
      clientFor(server).callControlApplications.create({ application_name: "a", webhook_event_url: "https://x.test" }),
    ).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  test("a create is retried on 429: the request was refused before processing", async () => {
    server = await startServer([{ status: 429, headers: { "retry-after": "0" } }, ok({ id: "app-1" })]);
    const res = await clientFor(server).callControlApplications.create({
      application_name: "a",
      webhook_event_url: "https://x.test",
    });
    expect(res.data).toEqual({ id: "app-1" });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.json).not.toHaveProperty("command_id");
  });

  test("a dropped connection: GET retried, update (PATCH) not", async () => {
    server = await startServer([{ destroy: true }, ok({ id: "s" }), { destroy: true }]);
    const telnyx = clientFor(server);
    await expect(telnyx.calls.retrieveStatus("v3:a")).resolves.toEqual({ data: { id: "s" } });
    expect(server.requests).toHaveLength(2);
    const error = await telnyx.callControlApplications
      .update("app-1", { application_name: "b", webhook_event_url: "https://x.test" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(server.requests).toHaveLength(3);
  });

  test("a refused connection is retried even for a create, then APIConnectionError", async () => {
    server = await startServer([]);
    const url = server.url;
    await server.close();
    const telnyx = clientFor({ url }, { maxRetries: 1 });
    const error = await telnyx.callControlApplications
      .create({ application_name: "a", webhook_event_url: "https://x.test" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/v2\/call_control_applications failed: .*ECONNREFUSED.*\(2 attempts\)/,
    );
  });
});

describe("timeout and abort", () => {
  test("no response within timeout: APIConnectionTimeoutError after the retries", async () => {
    server = await startServer(() => ({ hang: true }));
    const error = await clientFor(server, { timeout: 50, maxRetries: 1 })
      .calls.retrieveStatus("v3:a")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toContain("got no response within 50 ms (2 attempts)");
    expect(server.requests).toHaveLength(2);
  });

  test("per-request timeout overrides the client's", async () => {
    server = await startServer(() => ({ hang: true }));
    const error = await clientFor(server)
      .calls.retrieveStatus("v3:a", { timeout: 30, maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(server.requests).toHaveLength(1);
  });

  test("aborting an in-flight request gives APIUserAbortError and no retry", async () => {
    server = await startServer(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = clientFor(server).calls.actions.speak(
      "v3:a",
      { payload: "x", voice: "female" },
      { signal: controller.signal },
    );
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  test("an already-aborted signal sends nothing", async () => {
    server = await startServer(() => ok());
    const error = await clientFor(server)
      .calls.dial(DIAL, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(0);
  });

  test("aborting during the wait before a retry stops it", async () => {
    server = await startServer(() => ({ status: 503, headers: { "retry-after": "30" } }));
    const controller = new AbortController();
    const pending = clientFor(server).calls.retrieveStatus("v3:a", { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  test("RateLimitError after the retries are spent", async () => {
    server = await startServer(() => ({
      status: 429,
      headers: { "retry-after": "0" },
      body: { errors: [{ code: "1", title: "Slow down" }] },
    }));
    await expect(clientFor(server).calls.retrieveStatus("v3:a")).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(3);
  });
});

describe("concurrent requests", () => {
  test("only the request without an answer times out; the others, and later ones, succeed", async () => {
    server = await startServer((req) => (req.path.endsWith("/slow") ? { hang: true } : ok({ id: req.path })));
    const telnyx = clientFor(server, { timeout: 150, maxRetries: 0 });
    const get = (id: string) => telnyx.calls.retrieveStatus(id).catch((e: unknown) => e);
    const results = await Promise.all([get("a"), get("slow"), get("b"), get("c")]);
    expect(results[0]).toEqual({ data: { id: "/v2/calls/a" } });
    expect(results[1]).toBeInstanceOf(APIConnectionTimeoutError);
    expect(results[2]).toEqual({ data: { id: "/v2/calls/b" } });
    expect(results[3]).toEqual({ data: { id: "/v2/calls/c" } });
    await expect(telnyx.calls.retrieveStatus("d")).resolves.toEqual({ data: { id: "/v2/calls/d" } });
  });
});
