// Answers as they can come on the wire (compressed, cut short, odd status lines), over real sockets: what
// fetch makes of each is what the client hands back or throws.
import { afterEach, describe, expect, test } from "vitest";
import { APIConnectionError, APIConnectionTimeoutError, ResponseTooLargeError, TelnyxError } from "../src/index.js";
import { deflateRawSync, gzipSync } from "node:zlib";
import { clientFor, eventually, ok, type TestServer, startRawServer, startServer } from "./server.js";

let server: TestServer;
let raw: Awaited<ReturnType<typeof startRawServer>> | undefined;
afterEach(async () => {
  await server?.close();
  await raw?.close();
  raw = undefined;
});

/** An HTTP/1.1 answer, byte for byte. */
function answer(statusLine: string, headers: Record<string, string>, body: Buffer | string = ""): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head = Object.entries({ ...headers, "content-length": String(bytes.length) })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  return Buffer.concat([Buffer.from(`${statusLine}\r\n${head}\r\n`, "latin1"), bytes]);
}

const data = { call_control_id: "v3:a", is_alive: true, record_type: "call" };

describe("response bodies", () => {
  test("a gzip-compressed answer is decompressed, with or without its length", async () => {
    server = await startServer([
      { ...ok(data), gzip: {} },
      { ...ok(data), gzip: { chunked: true } },
    ]);
    const client = clientFor(server);
    await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data });
    await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data });
  });

  test("a compressed answer that inflates past maxResponseBytes is refused", async () => {
    const big = JSON.stringify({ data: { pad: " ".repeat(2 * 1024 * 1024) } });
    server = await startServer([
      { status: 200, body: big, gzip: {} },
      { status: 200, body: big, gzip: { chunked: true } },
    ]);
    const client = clientFor(server, { maxResponseBytes: 1024 * 1024 });
    for (let i = 0; i < 2; i++) {
      await expect(client.calls.retrieveStatus("v3:a")).rejects.toBeInstanceOf(ResponseTooLargeError);
    }
  });

  test("a connection closed mid-body is an APIConnectionError, not a bare TypeError", async () => {
    server = await startServer([{ ...ok(data), cut: 10 }]);
    const error = await clientFor(server, { maxRetries: 0 })
      .calls.retrieveStatus("v3:a")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`^GET ${server.url}/calls/v3:a failed: `));
    expect((error as Error).cause).toBeDefined();
  });

  test("204 No Content resolves with no data", async () => {
    server = await startServer([{ status: 204 }]);
    await expect(clientFor(server).calls.retrieveStatus("v3:a")).resolves.toBeUndefined();
  });

  test("every connection is released once the answers are in", async () => {
    server = await startServer(() => ok(data));
    const client = clientFor(server);
    await Promise.all(Array.from({ length: 20 }, () => client.calls.retrieveStatus("v3:a")));
    expect(server.pendingRequests()).toBe(0);
    expect(await eventually(() => server.requests.length === 20)).toBe(true);
  });
});

describe("compressed answers are decoded as leniently as fetch decodes them", () => {
  const json = JSON.stringify({ data });
  test.each([
    ["gzip", gzipSync(json), { data }],
    ["gzip, cut short", gzipSync(json).subarray(0, -8), { data }],
    ["deflate without its zlib wrapper", deflateRawSync(json), { data }],
    ["gzip, gzip", gzipSync(gzipSync(json)), { data }],
    ["gzip, an empty body", Buffer.alloc(0), undefined],
  ])("%s", async (name, body, expected) => {
    const coding = name.startsWith("gzip, gzip") ? "gzip, gzip" : name.startsWith("deflate") ? "deflate" : "gzip";
    raw = await startRawServer(
      answer("HTTP/1.1 200 OK", { "content-type": "application/json", "content-encoding": coding }, body),
    );
    await expect(clientFor(raw).calls.retrieveStatus("v3:a")).resolves.toEqual(expected);
  });
});

describe("odd answers", () => {
  test("a reason phrase with control bytes (which Node's parser passes) is answered as usual", async () => {
    const body = JSON.stringify({ data });
    raw = await startRawServer(answer("HTTP/1.1 200 O\x01K", { "content-type": "application/json" }, body));
    const client = clientFor(raw);
    await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data });
    const { response } = await client.raw.GET("/calls/{call_control_id}", {
      params: { path: { call_control_id: "v3:a" } },
      middleware: [{ onResponse: () => undefined }],
    });
    expect(response.status).toBe(200);
  });

  test("a 101 nobody asked for fails at once, not at the timeout", async () => {
    raw = await startRawServer(
      answer("HTTP/1.1 101 Switching Protocols", { upgrade: "websocket", connection: "upgrade" }),
    );
    const started = Date.now();
    const error = await clientFor(raw, { timeout: 5_000, maxRetries: 0 })
      .calls.retrieveStatus("v3:a")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe("an answer is an answer once its headers come", () => {
  test("commandTimeout does not resend a command whose answer's body is slow", async () => {
    server = await startServer(() => ({ ...ok(data), slowBody: 300 }));
    const client = clientFor(server, { commandTimeout: 100 });
    await expect(client.calls.actions.hangup("v3:a")).resolves.toEqual({ data });
    expect(server.requests).toHaveLength(1);
  });

  test("a retried status whose body is over the limit is let go at once, its connection closed", async () => {
    server = await startServer([{ status: 503, stream: 5 * 1024 * 1024 }, ok(data)]);
    const client = clientFor(server, { maxResponseBytes: 1024 * 1024, maxRetries: 1 });
    await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data });
    expect(await eventually(() => server.pendingRequests() === 0)).toBe(true);
    expect(server.bodyBytesWritten()).toBeLessThan(5 * 1024 * 1024);
  });
});

describe("what users hold is a standard Response", () => {
  test("telnyx.raw's response, and the one middleware sees", async () => {
    server = await startServer(() => ({
      ...ok(data),
      headers: { "content-length": String(JSON.stringify({ data }).length) },
    }));
    const client = clientFor(server);
    const { data: got, response } = await client.raw.GET("/calls/{call_control_id}", {
      params: { path: { call_control_id: "v3:a" } },
    });
    expect(got).toEqual({ data });
    expect(response).toBeInstanceOf(Response);
    expect(response.headers.get("content-type")).toBe("application/json");
    const seen: unknown[] = [];
    client.raw.use({ onResponse: ({ response }) => void seen.push(response) });
    await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data });
    const perCall = { onResponse: ({ response }: { response: Response }) => void seen.push(response) };
    await client.raw.GET("/calls/{call_control_id}", {
      params: { path: { call_control_id: "v3:a" } },
      middleware: [perCall],
    });
    expect(seen).toHaveLength(3);
    for (const r of seen) expect(r).toBeInstanceOf(Response);
  });
});

describe("request headers", () => {
  test("a user-agent is sent, and the caller's wins", async () => {
    server = await startServer(() => ok(data));
    await clientFor(server).calls.retrieveStatus("v3:a");
    await clientFor(server, { defaultHeaders: { "User-Agent": "my-app/1.0" } }).calls.retrieveStatus("v3:a");
    expect(server.requests[0]?.headers["user-agent"]).toMatch(/\S/);
    expect(server.requests[1]?.headers["user-agent"]).toBe("my-app/1.0");
  });
});

describe("request bodies", () => {
  test("binary bodies (a Blob, bytes, URLSearchParams) are sent as they are", async () => {
    server = await startServer(() => ok(data));
    const client = clientFor(server);
    const json = JSON.stringify({ connection_id: "c", from: "+13125550001", to: "+13125550002", command_id: "x" });
    const bodies = [new Blob([json]), new TextEncoder().encode(json), new TextEncoder().encode(json).buffer];
    for (const body of bodies) {
      await client.raw.POST("/calls", { body: body as never, headers: { "content-type": "application/json" } });
    }
    expect(server.requests.map((r) => r.text)).toEqual([json, json, json]);
    await client.raw.POST("/calls", { body: new URLSearchParams({ a: "1" }) as never });
    expect(server.requests[3]?.text).toBe("a=1");
  });
});

test("errors the wire produces are all TelnyxErrors", async () => {
  server = await startServer([{ destroy: true }, { ...ok(data), cut: 3 }]);
  const client = clientFor(server, { maxRetries: 0 });
  for (let i = 0; i < 2; i++) {
    await expect(client.calls.retrieveStatus("v3:a")).rejects.toBeInstanceOf(TelnyxError);
  }
});
