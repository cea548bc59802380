// dialRate: dials paced through a shared store (here @telnyx-voice/webhooks' memoryStore; redisStore across
// processes is tested in @telnyx-voice/redis), a slot too far away refused unsent, the wait abortable, options
// checked. Times are lower bounds only: a dial can never leave before its slot, however slow the machine.
import { memoryStore } from "@telnyx-voice/webhooks";
import { afterEach, describe, expect, test } from "vitest";
import { APIUserAbortError, type DialPaceStore, DialRateError, ValidationError } from "../src/index.js";
import { clientFor, ok, startServer, type TestServer } from "./server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const dialed = () => ok({ call_control_id: "v3:x", call_leg_id: "l", call_session_id: "s", is_alive: true });
const body = { connection_id: "c", from: "+13125550001", to: "+13125550002" };

/** A fetch that notes when each dial leaves the client. */
function timedFetch(sent: number[]) {
  return (input: string, init: RequestInit) => {
    sent.push(Date.now());
    return globalThis.fetch(input, init);
  };
}

describe("dialRate", () => {
  test("dials leave 1000 / perSecond ms apart, across every client sharing the store", async () => {
    server = await startServer(() => dialed());
    const store = memoryStore();
    const sent: number[] = [];
    const make = () => clientFor(server!, { fetch: timedFetch(sent), dialRate: { perSecond: 20, store } });
    const [a, b] = [make(), make()];
    const start = Date.now();
    await Promise.all([...[0, 1, 2].map(() => a.calls.dial(body)), ...[0, 1, 2].map(() => b.calls.dial(body))]);
    expect(server.requests).toHaveLength(6);
    // The i-th dial to leave had the i-th slot: 50 ms after the one before, from the first reservation on.
    sent.sort((x, y) => x - y);
    sent.forEach((at, i) => {
      expect(at - start, `dial ${i}`).toBeGreaterThanOrEqual(i * 50 - 1);
    });
  });

  test("a dial whose slot is further than maxWaitMs rejects with DialRateError and is not sent", async () => {
    server = await startServer(() => dialed());
    const telnyx = clientFor(server, { dialRate: { perSecond: 1, store: memoryStore(), maxWaitMs: 300 } });
    await telnyx.calls.dial(body);
    const error = await telnyx.calls.dial(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DialRateError);
    expect((error as DialRateError).waitMs).toBeGreaterThan(300);
    expect((error as Error).message).toMatch(
      /not sent: its dialRate slot is \d+ ms away, beyond dialRate\.maxWaitMs \(300 ms\)/,
    );
    expect(server.requests).toHaveLength(1);
  });

  test("the dial's signal ends the wait for its slot", async () => {
    server = await startServer(() => dialed());
    const telnyx = clientFor(server, { dialRate: { perSecond: 0.5, store: memoryStore() } });
    await telnyx.calls.dial(body);
    const controller = new AbortController();
    const waiting = telnyx.calls.dial(body, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    expect(await waiting).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  test("paces only dials: other commands go at once", async () => {
    server = await startServer(() => dialed());
    const sent: number[] = [];
    const telnyx = clientFor(server, { fetch: timedFetch(sent), dialRate: { perSecond: 0.5, store: memoryStore() } });
    await telnyx.calls.dial(body);
    await Promise.all([telnyx.calls.retrieveStatus("v3:x"), telnyx.calls.actions.hangup("v3:x")]);
    expect(server.requests).toHaveLength(3);
  });

  test("a store that answers something other than a wait is named", async () => {
    server = await startServer(() => dialed());
    const broken: DialPaceStore = { reserve: async () => Number.NaN };
    const error = await clientFor(server, { dialRate: { perSecond: 1, store: broken } })
      .calls.dial(body)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/reserve\(key, intervalMs\) must resolve with the ms to wait.*got NaN/);
    expect(server.requests).toHaveLength(0);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["a rate of 0", { perSecond: 0, store: memoryStore() }, /dialRate\.perSecond.*from 0\.01 to 10000/],
    ["no store", { perSecond: 10 }, /dialRate\.store.*reserve\(key, intervalMs\)/],
    ["an empty key", { perSecond: 10, store: memoryStore(), key: "" }, /dialRate\.key.*non-empty string/],
    ["a negative wait", { perSecond: 10, store: memoryStore(), maxWaitMs: -1 }, /dialRate\.maxWaitMs/],
    ["an unknown option", { perSecond: 10, store: memoryStore(), persecond: 3 }, /dialRate has no option "persecond"/],
    ["a number", 30, /dialRate.*an object/],
  ];
  test.each(bad)("refuses %s at construction", (_, dialRate, message) => {
    expect(() => clientFor({ url: "http://127.0.0.1:9" }, { dialRate: dialRate as never })).toThrow(ValidationError);
    expect(() => clientFor({ url: "http://127.0.0.1:9" }, { dialRate: dialRate as never })).toThrow(message);
  });

  test("takes explicit undefined for its optional fields, and for itself", () => {
    expect(() =>
      clientFor(
        { url: "http://127.0.0.1:9" },
        { dialRate: { perSecond: 1, store: memoryStore(), key: undefined, maxWaitMs: undefined } },
      ),
    ).not.toThrow();
    expect(() => clientFor({ url: "http://127.0.0.1:9" }, { dialRate: undefined })).not.toThrow();
  });
});
