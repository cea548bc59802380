// The API key must never leave through an error or a log line, whatever goes wrong.
import { afterEach, expect, test } from "vitest";
import type { Logger } from "../src/index.js";
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
