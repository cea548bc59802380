// The warm transfer on one process, against the simulator delivering as Telnyx may: the customer waits on hold
// music while the agent is dialled and briefed; an agent who declines sends the customer back to the menu, the
// next one who accepts is bridged to the customer.
import { afterEach, expect, test } from "vitest";
import { warmTransfer } from "../../patterns/warm-transfer.ts";
import { CALLER, type Harness, harness, OUR_NUMBER, until } from "./harness.ts";

const AGENT = "+13125550111";
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test("an agent who declines sends the customer back to the menu; the next, who accepts, is bridged to them", async () => {
  h = await harness();
  const t = h;
  warmTransfer({
    flows: t.flows,
    connectionId: t.connectionId,
    ourNumber: OUR_NUMBER,
    agent: AGENT,
    holdMusic: "https://example.com/hold.mp3",
  });
  t.sim.farEnd(AGENT, { digits: "2" }); // the first agent call: declined
  t.sim.farEnd(AGENT, { digits: "1" }); // the second: accepted
  // The customer asks for an agent twice (the second time after being sent back to the menu).
  const customer = t.sim.inboundCall({ from: CALLER, to: OUR_NUMBER, connectionId: t.connectionId, digits: "11" });
  await until(() => customer.state === "bridged", "the customer bridged to an agent");
  const agents = t.sim.calls.list().filter((call) => call.to === AGENT);
  expect(agents).toHaveLength(2);
  const [declined, accepted] = agents;
  expect(declined?.state).toBe("ended");
  expect(customer.bridgedWith).toBe(accepted?.callControlId);
  // Hold music played while each agent was dialled and stopped (cancelled) before the next step.
  const types = customer.eventTypes;
  expect(types.filter((type) => type === "call.playback.started")).toHaveLength(2);
  expect(types.filter((type) => type === "call.playback.ended")).toHaveLength(2);
  expect(types.filter((type) => type === "call.gather.ended")).toHaveLength(2);
  // The agent was briefed (a gather with the customer's number) before being bridged.
  expect(accepted?.eventTypes.indexOf("call.gather.ended")).toBeLessThan(
    accepted?.eventTypes.indexOf("call.bridged") ?? -1,
  );
  accepted?.hangup();
  await until(() => customer.state === "ended", "the customer's call to end with the agent's");
  expect(t.errors).toEqual([]);
});

test("the customer hangs up while the agent is being briefed: the agent's call ends too", async () => {
  h = await harness();
  const t = h;
  warmTransfer({
    flows: t.flows,
    connectionId: t.connectionId,
    ourNumber: OUR_NUMBER,
    agent: AGENT,
    holdMusic: "https://example.com/hold.mp3",
  });
  const customer = t.sim.inboundCall({ from: CALLER, to: OUR_NUMBER, connectionId: t.connectionId, digits: "1" });
  await until(
    () => t.sim.calls.list().some((call) => call.to === AGENT && call.state === "answered"),
    "the agent to answer",
  );
  customer.hangup();
  await until(() => t.sim.calls.list().every((call) => call.state === "ended"), "every leg to end");
  expect(t.errors).toEqual([]);
});
