// Response bodies are bounded: `timeout` covers reading them, and one larger than `maxResponseBytes` fails
// with ResponseTooLargeError without being read whole.
import { afterEach, describe, expect, test } from "vitest";
import {
  APIConnectionTimeoutError,
  APIUserAbortError,
  InternalServerError,
  ResponseTooLargeError,
} from "../src/index.js";
import { clientFor, eventually, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

const MiB = 1024 * 1024;

describe("maxResponseBytes", () => {
  test("a 150 MiB body announced by Content-Length is refused before reading", async () => {
    server = await startServer(() => ({ stream: 150 * MiB, headers: { "content-length": String(150 * MiB) } }));
    const error = (await clientFor(server)
      .calls.retrieveStatus("v3:a")
      .catch((e: unknown) => e)) as ResponseTooLargeError;
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.contentLength).toBe(150 * MiB);
    expect(error.maxResponseBytes).toBe(10 * MiB);
    expect(error.message).toBe(
      `GET ${server.url}/calls/v3:a answered with a body of ${150 * MiB} bytes, over the limit of ${10 * MiB} (\`maxResponseBytes\`); it was not read. Raise \`maxResponseBytes\` if such a body is expected.`,
    );
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
    // The server stopped once the client went away: far less than the body was ever sent.
    expect(server.bodyBytesWritten()).toBeLessThan(20 * MiB);
  });

  test("a 150 MiB chunked body (no Content-Length) is cut off once past the limit", async () => {
    server = await startServer(() => ({ stream: 150 * MiB }));
    const error = (await clientFor(server, { maxResponseBytes: MiB })
      .calls.retrieveStatus("v3:a")
      .catch((e: unknown) => e)) as ResponseTooLargeError;
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.contentLength).toBeUndefined();
    expect(error.message).toContain(`a body of more than ${MiB} bytes, over the limit of ${MiB}`);
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
    expect(server.bodyBytesWritten()).toBeLessThan(20 * MiB);
  });

  test("an error body over the limit is refused the same way", async () => {
    server = await startServer(() => ({ status: 500, stream: 5 * MiB }));
    await expect(
      clientFor(server, { maxResponseBytes: MiB, maxRetries: 0 }).calls.retrieveStatus("v3:a"),
    ).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  test("bodies within the limit are read whole, chunked or not, per client and per request", async () => {
    const data = { id: "x".repeat(2000) };
    server = await startServer([
      ok(data),
      { ...ok(data), headers: { "content-length": String(JSON.stringify({ data }).length) } },
      ok(data),
      { status: 500, body: { errors: [{ code: "1", title: "Boom" }] } },
    ]);
    const client = clientFor(server, { maxResponseBytes: 4096, maxRetries: 0 });
    await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data });
    await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data });
    await expect(client.calls.retrieveStatus("v3:a", { maxResponseBytes: 100 })).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    );
    await expect(client.calls.retrieveStatus("v3:a")).rejects.toBeInstanceOf(InternalServerError);
  });
});

describe("timeout covers the body", () => {
  test("a body that trickles for ever fails at the timeout, and its connection is closed", async () => {
    server = await startServer(() => ({ trickle: { chunk: 1, every: 10 } }));
    const error = await clientFor(server, { timeout: 200, maxRetries: 0 })
      .calls.retrieveStatus("v3:a")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toBe(
      `GET ${server.url}/calls/v3:a sent its response headers but not the whole body within 200 ms (1 attempt). Raise \`timeout\` if the network is slow.`,
    );
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
  });

  test("the same with a declared Content-Length (read by openapi-fetch, still within the deadline)", async () => {
    server = await startServer(() => ({ trickle: { chunk: 1, every: 10 }, headers: { "content-length": "100000" } }));
    const error = await clientFor(server, { timeout: 200, maxRetries: 0 })
      .calls.retrieveStatus("v3:a")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toContain("sent its response headers but not the whole body within 200 ms");
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
  });

  test("the caller's signal still aborts a trickling body, as APIUserAbortError", async () => {
    server = await startServer(() => ({ trickle: { chunk: 1, every: 10 } }));
    const controller = new AbortController();
    const pending = clientFor(server).calls.retrieveStatus("v3:a", { signal: controller.signal });
    expect(await eventually(() => server.requests.length === 1)).toBe(true);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
  });
});
