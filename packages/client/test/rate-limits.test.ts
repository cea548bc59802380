// Telnyx's rate limit headers on a loopback server: after `x-ratelimit-remaining: 0` the client's next requests
// wait for `x-ratelimit-reset`, and a 429 saying so is retried after the reset instead of failing. Times are
// lower bounds: a request can never go before the reset, however slow the machine.
import { afterEach, describe, expect, test } from "vitest";
import { RateLimitError } from "../src/index.js";
import { clientFor, ok, type Reply, startServer, type TestServer } from "./server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const spent = (reset: string): Record<string, string> => ({
  "x-ratelimit-limit": "100",
  "x-ratelimit-remaining": "0",
  "x-ratelimit-reset": reset,
});

/** Replies in order, noting when each request arrived. */
function timed(replies: Reply[], arrived: number[]) {
  return (_: unknown, index: number): Reply => {
    arrived.push(Date.now());
    return replies[index] ?? ok();
  };
}

describe("x-ratelimit-remaining: 0", () => {
  test("holds the client's next request, to any path, until x-ratelimit-reset", async () => {
    const arrived: number[] = [];
    server = await startServer(
      timed([{ ...ok({ is_alive: true }), headers: spent("1") }, ok({ is_alive: true })], arrived),
    );
    const telnyx = clientFor(server);
    await telnyx.calls.retrieveStatus("v3:a");
    const answered = Date.now();
    await telnyx.calls.actions.hangup("v3:b");
    expect(server.requests).toHaveLength(2);
    expect(arrived[1]! - answered).toBeGreaterThanOrEqual(950);
  });

  test("a 429 without Retry-After is retried once the window resets, instead of failing", async () => {
    const arrived: number[] = [];
    server = await startServer(
      timed(
        [{ status: 429, headers: spent("1"), body: { errors: [{ code: "10011", title: "Too many requests" }] } }],
        arrived,
      ),
    );
    const status = await clientFor(server).calls.retrieveStatus("v3:a");
    expect(status).toEqual({ data: {} });
    expect(server.requests).toHaveLength(2);
    expect(arrived[1]! - arrived[0]!).toBeGreaterThanOrEqual(950);
  });

  test("a reset further away than a call can wait (60 s) is not waited for: the 429 is handed back", async () => {
    server = await startServer(() => ({ status: 429, headers: spent("120"), body: { errors: [] } }));
    const telnyx = clientFor(server);
    // Neither the retry nor the next request waits two minutes (the test's own 5 s bound would end it first).
    await expect(telnyx.calls.retrieveStatus("v3:a")).rejects.toBeInstanceOf(RateLimitError);
    await expect(telnyx.calls.retrieveStatus("v3:a")).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(2);
  });

  test("other remaining counts, and a reset that is not a number, hold nothing", async () => {
    server = await startServer([
      { ...ok(), headers: { "x-ratelimit-remaining": "3", "x-ratelimit-reset": "30" } },
      { ...ok(), headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "soon" } },
      ok(),
    ]);
    const telnyx = clientFor(server, { timeout: 5_000 });
    for (let i = 0; i < 3; i++) await telnyx.calls.retrieveStatus("v3:a");
    expect(server.requests).toHaveLength(3);
  });
});
