// Every attempt is closed when its request ends, and a command resent after `commandTimeout` keeps its
// earlier attempts open until one of them answers: the first answer is the command's answer.
import { afterEach, describe, expect, test } from "vitest";
import { APIConnectionTimeoutError, APIUserAbortError, RateLimitError } from "../src/index.js";
import { clientFor, eventually, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

describe("no attempt is left open once its request ends", () => {
  test("30 requests to a hung server, each given up after its retries: no connection stays open", async () => {
    server = await startServer(() => ({ hang: true }));
    // 300 ms, not less: an attempt given up before its request reaches the server (30 connections opened at
    // once on a busy machine) would still close, but the count of 90 below could not be asserted.
    const client = clientFor(server, { timeout: 300, maxRetries: 2 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.calls.retrieveStatus(`v3:${i}`).catch((e: unknown) => e)),
    );
    for (const r of results) expect(r).toBeInstanceOf(APIConnectionTimeoutError);
    expect(server.requests).toHaveLength(90);
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
  });

  test("a request aborted by the caller's signal closes its attempt", async () => {
    server = await startServer(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = clientFor(server).calls.retrieveStatus("v3:a", { signal: controller.signal });
    expect(await eventually(() => server.requests.length === 1)).toBe(true);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
  });

  test("a command given up after its resends closes every one of them", async () => {
    server = await startServer(() => ({ hang: true }));
    const error = await clientFor(server, { timeout: 200, commandTimeout: 20, maxRetries: 2 })
      .calls.actions.hangup("v3:a")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(server.requests).toHaveLength(3);
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
  });
});

describe("commandTimeout: resend, keep the earlier attempt, take the first answer", () => {
  test("against a server answering in 150 ms with commandTimeout 100, every command succeeds", async () => {
    server = await startServer(() => ({ ...ok({ result: "ok" }), delay: 150 }));
    const client = clientFor(server, { commandTimeout: 100, maxRetries: 4 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.calls.actions.hangup(`v3:${i}`).catch((e: unknown) => e)),
    );
    // No attempt can be answered before its resend (150 ms > 100 ms), so every success is an earlier attempt
    // kept open past commandTimeout: abandoning it at 100 ms, as before, failed all of them.
    for (const r of results) expect(r).toEqual({ data: { result: "ok" } });
    const byCall = new Map<string, Set<unknown>>();
    for (const r of server.requests) {
      const ids = byCall.get(r.path) ?? new Set();
      ids.add(r.json?.command_id);
      byCall.set(r.path, ids);
    }
    // Every attempt of one command carries its command_id, so Telnyx runs it once.
    for (const ids of byCall.values()) expect(ids.size).toBe(1);
    // The losing attempts were aborted when the first answer came.
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
  });

  test("the resend's answer wins when it comes first; the first attempt is then closed", async () => {
    server = await startServer((_req, i) => (i === 0 ? { hang: true } : ok({ result: "second" })));
    const res = await clientFor(server, { commandTimeout: 50 }).calls.actions.answer("v3:a");
    expect(res.data).toEqual({ result: "second" });
    expect(server.requests).toHaveLength(2);
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
  });

  test("a retryable status from a command's attempt still goes through the retry decision", async () => {
    server = await startServer([
      { status: 429, headers: { "retry-after": "0" }, body: { errors: [{ code: "1", title: "Slow down" }] } },
      ok({ result: "ok" }),
    ]);
    const res = await clientFor(server, { commandTimeout: 1_000 }).calls.actions.answer("v3:a");
    expect(res.data).toEqual({ result: "ok" });
    expect(server.requests).toHaveLength(2);
  });

  test("a command whose every attempt is refused 429 ends with the RateLimitError", async () => {
    server = await startServer(() => ({ status: 429, headers: { "retry-after": "0" }, body: { errors: [] } }));
    await expect(
      clientFor(server, { commandTimeout: 1_000, maxRetries: 1 }).calls.actions.answer("v3:a"),
    ).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(2);
  });
});
