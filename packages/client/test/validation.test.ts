import { afterEach, describe, expect, test } from "vitest";
import { type DialRequest, Telnyx, ValidationError } from "../src/index.js";
import { clientFor, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

const DIAL = { connection_id: "conn-1", from: "+13125550001", to: "+13125550002" };

async function refusal(run: (t: ReturnType<typeof clientFor>) => Promise<unknown>): Promise<ValidationError> {
  server = await startServer(() => ok({ call_control_id: "v3:x" }));
  const error = await Promise.resolve()
    .then(() => run(clientFor(server)))
    .catch((e: unknown) => e);
  expect(server.requests).toHaveLength(0);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("E.164 fields from the spec", () => {
  test("dial `to` that is not E.164 nor a SIP URI", async () => {
    const error = await refusal((t) => t.calls.dial({ ...DIAL, to: "5550001" }));
    expect(error.message).toBe(
      'dial body field "to" is "5550001", expected an E.164 number like +13125550001 (a "+" and up to 15 digits) or a SIP URI like sip:alice@example.com',
    );
    expect([error.operation, error.field, error.value]).toEqual(["dial", "to", "5550001"]);
  });

  test("dial `from` must be E.164 (the spec allows no SIP URI there)", async () => {
    const error = await refusal((t) => t.calls.dial({ ...DIAL, from: "sip:me@example.com" }));
    expect(error.message).toBe(
      'dial body field "from" is "sip:me@example.com", expected an E.164 number like +13125550001 (a "+" and up to 15 digits)',
    );
  });

  test.each(["+1 312 555 0001", "13125550001", "+1234567890123456", "+0123456", "+", "tel:+13125550001"])(
    "refused: %s",
    async (to) => {
      const error = await refusal((t) => t.calls.dial({ ...DIAL, to }));
      expect(error.field).toBe("to");
    },
  );

  test("a number instead of a string is named as such", async () => {
    const error = await refusal((t) => t.calls.dial({ ...DIAL, to: 13125550001 } as unknown as DialRequest));
    expect(error.message).toContain('"to" is 13125550001 (a number), expected');
  });

  test("each entry of a `to` array is checked and named by index", async () => {
    const error = await refusal((t) => t.calls.dial({ ...DIAL, to: ["+13125550002", "nope"] }));
    expect(error.field).toBe("to[1]");
  });

  test("transfer `to`", async () => {
    const error = await refusal((t) => t.calls.actions.transfer("v3:a", { to: "(312) 555-0001" }));
    expect(error.message).toMatch(
      /^transfer body field "to" is "\(312\) 555-0001", expected an E\.164 number like \+13125550001/,
    );
  });

  test("nested phone fields (assistant transfer tools) are checked too", async () => {
    const body = { assistant: { tools: [{ type: "transfer", transfer: { from: "0800", targets: [] } }] } };
    const error = await refusal((t) => t.calls.dial({ ...DIAL, ...body } as unknown as DialRequest));
    expect(error.field).toBe("assistant.tools[0].transfer.from");
  });

  test("telnyx.raw validates the same way (one code path)", async () => {
    const error = await refusal((t) => t.raw.POST("/calls", { body: { ...DIAL, to: "12" } }));
    expect(error.field).toBe("to");
  });

  test("required dial fields are refused before sending", async () => {
    const error = await refusal((t) => t.calls.dial({ connection_id: "c", from: "+13125550001" } as DialRequest));
    expect(error.message).toBe(
      'dial body field "to" is missing: it is required; dial requires connection_id, from and to. Got undefined.',
    );
  });

  test("an empty call control id is refused", async () => {
    const error = await refusal((t) => t.calls.actions.hangup(""));
    expect(error.message).toBe('hangup parameter "call_control_id" is "", expected a non-empty call_control_id string');
  });
});

describe("accepted forms", () => {
  test.each([
    ["+13125550002", "+13125550001"],
    ["+442071838750", "+13125550001"],
    ["sip:alice@example.com", "+13125550001"],
    ["sips:bob@sip.example.com;secure=true", "+13125550001"],
  ])("to %s from %s is sent", async (to, from) => {
    server = await startServer(() => ok({ call_control_id: "v3:x" }));
    await clientFor(server).calls.dial({ ...DIAL, to, from });
    expect(server.requests[0]?.json).toMatchObject({ to, from });
  });

  test("fields the spec does not document as phone numbers are left alone", async () => {
    server = await startServer(() => ok());
    await clientFor(server).calls.actions.speak("v3:a", { payload: "5550001", voice: "female" });
    expect(server.requests).toHaveLength(1);
  });
});

describe("forms the spec documents, and bodies that are not literals", () => {
  test("a destination may carry DTMF after a comma, and a SIP URI may have an empty user part", async () => {
    server = await startServer([ok({ call_control_id: "v3:a" }), ok({ call_control_id: "v3:b" })]);
    const client = clientFor(server);
    await client.calls.dial({ connection_id: "c", from: "+13125550001", to: "+18004247767,200" });
    await client.calls.dial({ connection_id: "c", from: "+13125550001", to: "sip:@example.sip.telnyx.com" });
    expect(server.requests).toHaveLength(2);
    await expect(client.calls.dial({ connection_id: "c", from: "+13125550001,1", to: "+13125550002" })).rejects.toThrow(
      /"from" is "\+13125550001,1"/,
    );
  });

  test("a class instance body is validated, given a command_id and sent as JSON", async () => {
    class Dial {
      connection_id = "c";
      from = "+13125550001";
      to = "not-a-number";
    }
    server = await startServer([ok({ call_control_id: "v3:a" })]);
    const client = clientFor(server);
    await expect(client.calls.dial(new Dial())).rejects.toBeInstanceOf(ValidationError);
    const ok2 = Object.assign(new Dial(), { to: "+13125550002" });
    await client.calls.dial(ok2);
    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0]?.json;
    expect(sent).toMatchObject({ connection_id: "c", to: "+13125550002" });
    expect(typeof sent?.command_id).toBe("string");
  });
});

test("refused arguments reject the returned promise; nothing throws synchronously", () => {
  const client = new Telnyx({ apiKey: "KEY_sync", baseURL: "http://127.0.0.1:1/v2" });
  const calls: Array<() => PromiseLike<unknown>> = [
    () => client.calls.dial({ connection_id: "", from: "+13125550001", to: "+13125550002" }),
    () => client.calls.retrieveStatus(""),
    () => client.calls.actions.answer(""),
    () => client.callControlApplications.retrieve(""),
    () => client.connections.listActiveCalls(""),
  ];
  return Promise.all(
    calls.map(async (call) => {
      let promise: PromiseLike<unknown> | undefined;
      expect(() => {
        promise = call();
      }).not.toThrow();
      await expect(promise).rejects.toBeInstanceOf(ValidationError);
    }),
  );
});

describe("names plain-JavaScript callers get wrong", () => {
  test("dial({ connectionId }) is refused with the API's name for it, before the missing-field check", async () => {
    const error = await refusal((t) =>
      t.calls.dial({ connectionId: "c", from: "+13125550001", to: "+13125550002" } as unknown as DialRequest),
    );
    expect(error.message).toBe(
      'dial body field "connectionId" is not a field of dial: the API names it "connection_id" (body fields are snake_case, as in the API) and would ignore "connectionId". Rename it to "connection_id".',
    );
    expect([error.field, error.expected]).toEqual(["connectionId", '"connection_id"']);
  });

  test("gatherUsingSpeak({ maximumDigits }) is refused rather than sent and silently ignored", async () => {
    const error = await refusal((t) =>
      t.calls.actions.gatherUsingSpeak("v3:a", { payload: "Press 1", voice: "female", maximumDigits: 1 } as never),
    );
    expect(error.message).toContain(
      '"maximumDigits" is not a field of gatherUsingSpeak: the API names it "maximum_digits"',
    );
  });

  test("acronyms and raw calls: callControlID on bridge, through telnyx.raw", async () => {
    const error = await refusal((t) =>
      t.raw.POST("/calls/{call_control_id}/actions/bridge", {
        params: { path: { call_control_id: "v3:a" } },
        body: { callControlID: "v3:b" } as never,
      }),
    );
    expect(error.message).toContain('the API names it "call_control_id"');
  });

  test("camelCase keys that are not fields of the body in any form are left to the API", async () => {
    server = await startServer(() => ok());
    await clientFor(server).calls.actions.speak("v3:a", { payload: "hi", voice: "female", myOwnThing: 1 } as never);
    expect(server.requests[0]?.json).toMatchObject({ myOwnThing: 1 });
  });

  test("missing fields read as sentences and name everything the operation requires", async () => {
    const speak = await refusal((t) => t.calls.actions.speak("v3:a", { payload: "hi" } as never));
    expect(speak.message).toBe(
      'speak body field "voice" is missing: it is required; speak requires payload and voice. Got undefined.',
    );
    const transfer = await refusal((t) => t.calls.actions.transfer("v3:a", {} as never));
    expect(transfer.message).toBe('transfer body field "to" is missing: it is required. Got undefined.');
  });

  test("a body that is not an object is refused with what the operation needs", async () => {
    const error = await refusal((t) => t.calls.dial(null as unknown as DialRequest));
    expect(error.message).toBe('dial argument "body" is null, expected an object with connection_id, from and to');
  });
});

test("a command_id that is not a non-empty string is refused rather than silently replaced", async () => {
  const error = await refusal((t) => t.calls.actions.hangup("v3:a", { command_id: 42 } as never));
  expect(error.message).toBe(
    'hangup body field "command_id" is 42 (a number), expected a non-empty string, or nothing (the client then makes one)',
  );
});
