// Success carries its metadata: every method's promise has .withResponse() ({ data, response, requestId }),
// list pages too, with one request whichever is awaited; logger.debug says status, latency, request id and
// command_id of each answer.
import { afterEach, expect, test } from "vitest";
import { type Logger, Telnyx } from "../src/index.js";
import { API_KEY, clientFor, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

const withId = (data: unknown, id: string) => ({ ...ok(data), headers: { "x-request-id": id } });

test("a command's promise: the body when awaited, { data, response, requestId } from withResponse(), one request", async () => {
  server = await startServer([withId({ result: "ok" }, "req-speak-1"), withId({ result: "ok" }, "req-speak-2")]);
  const telnyx = clientFor(server);
  const plain = await telnyx.calls.actions.speak("v3:call", { payload: "Hi", voice: "female" });
  expect(plain).toEqual({ data: { result: "ok" } });
  const meta = await telnyx.calls.actions.speak("v3:call", { payload: "Hi", voice: "female" }).withResponse();
  expect(meta.data).toEqual({ data: { result: "ok" } });
  expect(meta.response.status).toBe(200);
  expect(meta.requestId).toBe("req-speak-2");
  expect(server.requests).toHaveLength(2);
});

test("dial with dialRate, retrieveStatus and applications too; a list's first page with its response", async () => {
  const call = { call_control_id: "v3:x", call_leg_id: "l", call_session_id: "s", is_alive: true, record_type: "call" };
  server = await startServer([
    withId(call, "req-dial"),
    withId(call, "req-status"),
    {
      status: 200,
      body: { data: [], meta: { total_pages: 1, page_number: 1 } },
      headers: { "x-request-id": "req-list" },
    },
  ]);
  const { memoryStore } = await import("@telnyx-voice/webhooks");
  const telnyx = clientFor(server, { dialRate: { perSecond: 100, store: memoryStore() } });
  const dialled = await telnyx.calls
    .dial({ connection_id: "c", from: "+13125550100", to: "+13125550111" })
    .withResponse();
  expect([dialled.requestId, dialled.data.data.call_control_id]).toEqual(["req-dial", "v3:x"]);
  expect((await telnyx.calls.retrieveStatus("v3:x").withResponse()).requestId).toBe("req-status");
  const first = await telnyx.callControlApplications.list().withResponse();
  expect(first.requestId).toBe("req-list");
  expect(first.data.data).toEqual([]);
  expect(server.requests).toHaveLength(3);
});

test("a failure rejects withResponse() as it rejects the await", async () => {
  server = await startServer([{ status: 422, body: { errors: [{ code: "90018", title: "Call has already ended" }] } }]);
  const telnyx = clientFor(server, { maxRetries: 0 });
  const error = await telnyx.calls.actions
    .hangup("v3:gone")
    .withResponse()
    .catch((e: unknown) => e);
  expect((error as { status?: number }).status).toBe(422);
});

test("logger.debug says each answer's status, latency, request id and command_id, and never the key", async () => {
  server = await startServer([withId({ result: "ok" }, "req-7")]);
  const lines: Array<[string, Record<string, unknown> | undefined]> = [];
  const logger: Logger = { debug: (message, details) => lines.push([message, details]) };
  const telnyx = clientFor(server, { logger });
  await telnyx.calls.actions.speak("v3:call", { payload: "Hi", voice: "female", command_id: "cmd-42" });
  const answer = lines.find(([message]) => message.includes("-> 200"));
  expect(answer?.[0]).toMatch(/-> 200 in \d+ ms \(attempt 1, request id req-7, command_id cmd-42\)/);
  expect(answer?.[1]).toMatchObject({ status: 200, attempt: 1, requestId: "req-7", commandId: "cmd-42" });
  expect(JSON.stringify(lines)).not.toContain(API_KEY);
});

test('a short key (a test\'s apiKey: "k") is scrubbed only where it stands alone, not out of every word', async () => {
  server = await startServer([
    { status: 400, body: { errors: [{ code: "10015", title: "Bad speak", detail: "socket echo: Bearer k" }] } },
  ]);
  const telnyx = new Telnyx({ apiKey: "k", baseURL: server.url, maxRetries: 0 });
  const error = (await telnyx.calls.actions
    .speak("v3:call", { payload: "x", voice: "female" })
    .catch((e) => e)) as Error;
  expect(error.message).toContain("Bad speak");
  expect(error.message).toContain("socket echo: Bearer [redacted]");
  expect(error.message).not.toMatch(/spea\[redacted\]|soc\[redacted\]et/);
});
