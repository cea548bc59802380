// client_state as a flow writes it: base64 of UTF-8 JSON, built without Buffer, size-checked before sending.
import { Buffer } from "node:buffer";
import { expect, test } from "vitest";
import { decodeClientState, encodeClientState } from "../src/client-state.js";
import { FlowStateError } from "../src/index.js";

test("round-trips any JSON state, Unicode included, as standard base64 of UTF-8 JSON", () => {
  const state = { step: "menu", name: "Zoë 👋", tries: [1, 2], nested: { ok: true, none: null } };
  const encoded = encodeClientState({ state, seq: 7, dial: "d1", owner: "host-a" }, 4096);
  // An independent decoder (Node's Buffer) reads the same JSON: portable base64, not a private format.
  expect(JSON.parse(Buffer.from(encoded, "base64").toString("utf8"))).toEqual({
    tv: 1,
    n: 7,
    s: state,
    d: "d1",
    o: "host-a",
  });
  expect(decodeClientState(encoded)).toEqual({ state, seq: 7, dial: "d1", owner: "host-a" });
});

test("someone else's client_state, or none, is not a flow's", () => {
  expect(decodeClientState(undefined)).toBeUndefined();
  expect(decodeClientState("")).toBeUndefined();
  expect(decodeClientState(Buffer.from("have a nice day").toString("base64"))).toBeUndefined();
  expect(decodeClientState(Buffer.from(JSON.stringify({ n: 1 })).toString("base64"))).toBeUndefined();
  expect(decodeClientState("%%%not base64")).toBeUndefined();
});

test("state over the limit, or not JSON, is refused with what to do", () => {
  expect(() => encodeClientState({ state: "x".repeat(3100), seq: 1 }, 4096)).toThrow(FlowStateError);
  expect(() => encodeClientState({ state: "x".repeat(3100), seq: 1 }, 4096)).toThrow(
    /call\.state is \d+ characters as client_state \(base64 JSON\), over the 4096 allowed\. Keep large data in your own store/,
  );
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => encodeClientState({ state: cyclic, seq: 1 }, 4096)).toThrow(/call\.state must be JSON-serialisable/);
  // A large state is encoded in chunks, not one spread of every byte (which overflows the call stack).
  expect(decodeClientState<string>(encodeClientState({ state: "y".repeat(300_000), seq: 1 }, 1e6))?.state).toHaveLength(
    300_000,
  );
});

test("a tag with fields a flow never writes is not a flow's (a count that is no count, a name that is no string)", () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
  expect(decodeClientState(b64({ tv: 1, n: 1e308, s: { admin: true } }))).toBeUndefined();
  expect(decodeClientState(b64({ tv: 1, n: -1 }))).toBeUndefined();
  expect(decodeClientState(b64({ tv: 1, n: 1.5 }))).toBeUndefined();
  expect(decodeClientState(b64({ tv: 1, n: 2, o: 42 }))).toBeUndefined();
  expect(decodeClientState(b64({ tv: 1, n: 2, o: "inst-a" }))).toEqual({
    state: undefined,
    seq: 2,
    dial: undefined,
    owner: "inst-a",
  });
});

test("the call's traceparent (telemetry) rides along, and is left out rather than push a state over the limit", () => {
  const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  expect(decodeClientState(encodeClientState({ state: { a: 1 }, seq: 2, trace }, 4096))).toMatchObject({
    state: { a: 1 },
    seq: 2,
    trace,
  });
  // Fits only without it: sent without it, never refused because of it.
  const state = "x".repeat(3000);
  const alone = encodeClientState({ state, seq: 1 }, 4096).length;
  expect(alone).toBeLessThanOrEqual(4096);
  const limit = alone + 10;
  const encoded = encodeClientState({ state, seq: 1, trace }, limit);
  expect(decodeClientState<string>(encoded)).toMatchObject({ state, seq: 1, trace: undefined });
});
