// The API key must never leave through an error or a log line, whatever goes wrong.
import { afterEach, expect, test } from "vitest";
import { type Logger, Telnyx, ValidationError } from "../src/index.js";
import { API_KEY, clientFor, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

function texts(error: unknown): string[] {
  const e = error as Error & { cause?: unknown };
  return [
    String(e),
    e.message,
    e.stack ?? "",
    JSON.stringify(e),
    JSON.stringify(e, Object.getOwnPropertyNames(e)),
    String(e.cause ?? ""),
  ];
}

test("no error, message, stack, JSON or log line contains the key", async () => {
  // A misbehaving server that echoes the Authorization header back in its errors.
  server = await startServer((req, i) => {
    const echo = String(req.headers.authorization);
    if (i === 0)
      return {
        status: 401,
        body: {
          errors: [{ code: "10009", title: "Authentication failed", detail: `bad header ${echo}`, meta: { echo } }],
        },
      };
    if (i === 1) return { status: 400, body: `plain text ${echo}`, headers: { "content-type": "text/plain" } };
    if (i === 2) return { status: 418, body: { message: echo } };
    return { hang: true };
  });
  const lines: string[] = [];
  const record = (message: string, details?: Record<string, unknown>) =>
    lines.push(`${message} ${JSON.stringify(details ?? {})}`);
  const logger: Logger = { debug: record, info: record, warn: record, error: record };
  const telnyx = clientFor(server, { logger, maxRetries: 0, timeout: 50 });

  const errors: unknown[] = [];
  for (const run of [
    () => telnyx.calls.retrieveStatus("v3:a"),
    () => telnyx.calls.retrieveStatus("v3:a"),
    () => telnyx.calls.retrieveStatus("v3:a"),
    () => telnyx.calls.actions.answer("v3:a", undefined, { maxRetries: 1 }),
    () => telnyx.calls.dial({ connection_id: "c", from: "+13125550001", to: API_KEY }),
  ]) {
    errors.push(await run().catch((e: unknown) => e));
  }
  await server.close();
  errors.push(await telnyx.calls.retrieveStatus("v3:a").catch((e: unknown) => e));

  expect(errors.map((e) => (e as Error).name)).toEqual([
    "AuthenticationError",
    "BadRequestError",
    "APIError",
    "APIConnectionTimeoutError",
    "ValidationError",
    "APIConnectionError",
  ]);
  // The server really did echo the key, so the redaction is what kept it out.
  expect((errors[0] as Error).message).toContain("bad header Bearer [redacted]");
  for (const error of errors) for (const text of texts(error)) expect(text).not.toContain(API_KEY);
  expect(lines.length).toBeGreaterThan(4);
  expect(lines.some((l) => l.includes("Bearer [redacted]"))).toBe(true);
  for (const line of lines) expect(line).not.toContain(API_KEY);
});

test("a long echoing body cut short, echoed headers and custom key headers in logs leak no part of the key", async () => {
  server = await startServer((req) => ({
    status: 400,
    headers: { "x-echo-authorization": String(req.headers.authorization), "content-type": "text/html" },
    body: `<html>${"x".repeat(475)} ${String(req.headers.authorization)}</html>`,
  }));
  const lines: string[] = [];
  const log = (...args: unknown[]) => lines.push(JSON.stringify(args));
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  const client = clientFor(server, { logger, defaultHeaders: { "x-api-key": API_KEY } });
  const error = (await client.calls.retrieveStatus("v3:a").catch((e: unknown) => e)) as Error & { headers: Headers };
  const keyHead = API_KEY.slice(0, 6);
  for (const text of texts(error)) expect(text).not.toContain(keyHead);
  expect(error.headers.get("x-echo-authorization")).toBe("Bearer [redacted]");
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).not.toContain(API_KEY);
});

test("a key with CR, LF or NUL is refused at construction, and neither the error nor its cause holds the key", () => {
  const keys = [`${API_KEY}\r\n`, `KEY_A\r\nx-evil: 1${API_KEY}`, `${API_KEY}\0`, `${API_KEY}\n`];
  for (const apiKey of keys) {
    let error: unknown;
    try {
      new Telnyx({ apiKey, baseURL: "http://127.0.0.1:1/v2" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    // Not the raw TypeError of Headers, which quotes the value.
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(
      /^The Telnyx API key \(from apiKey\) contains a (line break \(CR or LF\)|NUL character) at position \d+ of \d+/,
    );
    for (const text of texts(error)) expect(text).not.toContain(API_KEY);
  }
});

test("the key from TELNYX_API_KEY with a trailing newline is refused the same way, naming the variable", () => {
  const saved = process.env.TELNYX_API_KEY;
  process.env.TELNYX_API_KEY = `${API_KEY}\n`;
  try {
    expect(() => new Telnyx({ baseURL: "http://127.0.0.1:1/v2" })).toThrow(
      `The Telnyx API key (from TELNYX_API_KEY) contains a line break (CR or LF) at position ${API_KEY.length + 1}`,
    );
  } finally {
    if (saved === undefined) delete process.env.TELNYX_API_KEY;
    else process.env.TELNYX_API_KEY = saved;
  }
});

test("a piece of the key echoed by the server (13 characters) is scrubbed from the error everywhere", async () => {
  const piece = API_KEY.slice(5, 18);
  expect(piece).toHaveLength(13);
  server = await startServer(() => ({
    status: 401,
    headers: { "x-debug": `token ${piece}` },
    body: {
      errors: [
        { code: "10009", title: "Authentication failed", detail: `unknown key ...${piece}...`, meta: { piece } },
      ],
    },
  }));
  const error = await clientFor(server, { maxRetries: 0 })
    .calls.retrieveStatus("v3:a")
    .catch((e: unknown) => e);
  expect((error as Error).message).toBe(
    "401 Unauthorized: Authentication failed: unknown key ...[redacted]... (code 10009)",
  );
  for (const text of texts(error)) expect(text).not.toContain(piece);
  expect(JSON.stringify((error as { errors: unknown }).errors)).not.toContain(piece);
  expect((error as { headers: Headers }).headers.get("x-debug")).toBe("token [redacted]");
});

test("a piece of the key pasted into a phone field is not echoed by the ValidationError", async () => {
  server = await startServer(() => ({ status: 200, body: { data: {} } }));
  const error = await clientFor(server)
    .calls.dial({ connection_id: "c", from: "+13125550001", to: `call ${API_KEY.slice(0, 12)}` })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  for (const text of texts(error)) expect(text).not.toContain(API_KEY.slice(0, 12));
  expect((error as ValidationError).value).toBe("call [redacted]");
});
