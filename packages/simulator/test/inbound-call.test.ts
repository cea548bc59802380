// One check for an inbound call, whichever way it comes in: `sim.inboundCall()` throws InvalidInboundCall naming
// the option, and `POST /_simulator/inbound_calls` answers 422 pointing at the same field by its wire name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInboundCall, type Simulator, startSimulator } from "../src/index.js";
import { api } from "./helpers.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ webhookUrl: "http://127.0.0.1:9/hooks", redelivery: { maxAttempts: 1 } });
});
afterAll(() => sim.stop());

const valid = { from: "+12025550142", to: "+12025550100", connectionId: "c-in" };

const cases: Array<[string, Record<string, unknown>, string, string]> = [
  ["a missing from", { ...valid, from: undefined }, "from", "from"],
  ["a from that is no number", { ...valid, from: "alice" }, "from", "from"],
  ["a to that is no number", { ...valid, to: "555-0100" }, "to", "to"],
  ["an empty connection id", { ...valid, connectionId: "" }, "connectionId", "connection_id"],
  ["a javascript: webhook URL", { ...valid, webhookUrl: "javascript:alert(1)" }, "webhookUrl", "webhook_url"],
  ["a file: webhook URL", { ...valid, webhookUrl: "file:///etc/passwd" }, "webhookUrl", "webhook_url"],
  ["client_state that is not base64", { ...valid, clientState: "not base64!" }, "clientState", "client_state"],
  ["digits outside DTMF", { ...valid, digits: "12x" }, "digits", "digits"],
];

const wire = (o: Record<string, unknown>) => ({
  from: o.from,
  to: o.to,
  connection_id: o.connectionId,
  webhook_url: o.webhookUrl,
  client_state: o.clientState,
  digits: o.digits,
});

describe("inbound call input", () => {
  it.each(cases)("%s: the API and the far-end route refuse it at the same field", async (_, input, option, field) => {
    let thrown: unknown;
    try {
      sim.inboundCall(input as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInboundCall);
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as InvalidInboundCall).option).toBe(option);
    expect((thrown as Error).message).toMatch(new RegExp(`^inboundCall: ${option} `));

    const farEnd = api(sim, undefined, "far end");
    const res = await farEnd<{ errors: Array<{ detail: string; source: { pointer: string } }> }>(
      "POST",
      "/inbound_calls",
      wire(input),
    );
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.source.pointer).toBe(`/${field}`);
    expect(res.body.errors[0]?.detail).toContain((thrown as InvalidInboundCall).problem);
    expect(sim.calls.list()).toHaveLength(0);
  });

  it("a connection with no webhook URL anywhere is refused the same way, naming the connection", async () => {
    const bare = await startSimulator();
    try {
      expect(() => bare.inboundCall(valid)).toThrow(/inboundCall: connectionId names no application/);
      const res = await api(bare, undefined, "far end")<{ errors: Array<{ source: { pointer: string } }> }>(
        "POST",
        "/inbound_calls",
        wire(valid),
      );
      expect(res.status).toBe(422);
      expect(res.body.errors[0]?.source.pointer).toBe("/connection_id");
    } finally {
      await bare.stop();
    }
  });
});
