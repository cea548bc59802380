// Transfers that overlap or outlive their call: one transfer at a time, and a ringing transfer leg is
// cancelled when the call it belongs to hangs up. A slow far end keeps the new leg ringing long enough.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, type Receiver, startReceiver } from "./helpers.js";

let sim: Simulator;
let receiver: Receiver;
let call: Api;

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 400, mediaDurationMs: 5 });
  call = api(sim);
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

async function answeredInbound(): Promise<string> {
  const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: "c-transfer" });
  expect((await call("POST", `/calls/${inbound.callControlId}/actions/answer`, {})).status).toBe(200);
  return inbound.callControlId;
}

it("refuses a second transfer while the first is still ringing", async () => {
  const a = await answeredInbound();
  expect((await call("POST", `/calls/${a}/actions/transfer`, { to: "+12025550177" })).status).toBe(200);
  const second = await call<{ errors: Array<{ detail?: string }> }>("POST", `/calls/${a}/actions/transfer`, {
    to: "+12025550178",
  });
  expect(second.status).toBe(422);
  expect(second.body.errors[0]?.detail).toMatch(/transfer is already in progress/);
  expect(sim.calls.list().filter((c) => c.to === "+12025550178")).toHaveLength(0);
  await call("POST", `/calls/${a}/actions/hangup`, {});
});

it("hanging up the call cancels its transfer leg that is still ringing", async () => {
  const a = await answeredInbound();
  await call("POST", `/calls/${a}/actions/transfer`, { to: "+12025550179" });
  const leg = sim.calls.list().find((c) => c.to === "+12025550179");
  expect(leg?.state).toBe("initiated");
  await call("POST", `/calls/${a}/actions/hangup`, {});
  await receiver.waitFor(
    (events) =>
      events.some((e) => e.data.event_type === "call.hangup" && e.data.payload.call_control_id === leg?.callControlId),
    "the transfer leg's call.hangup",
  );
  expect(sim.calls.get(leg?.callControlId ?? "")?.state).toBe("ended");
  const hangup = receiver.events.find(
    (e) => e.data.event_type === "call.hangup" && e.data.payload.call_control_id === leg?.callControlId,
  );
  expect(hangup?.data.payload).toMatchObject({ hangup_cause: "originator_cancel" });
});

it("a bridge while a transfer rings is refused (either side), and the answered transfer bridges the call once", async () => {
  const dial = async () => {
    const res = await call<{ data: { call_control_id: string } }>("POST", "/calls", {
      connection_id: "c-bridge",
      from: "+12025550100",
      to: "+12025550111",
    });
    return res.body.data.call_control_id;
  };
  const [a, b] = await Promise.all([dial(), dial()]);
  await receiver.waitFor(
    (events) =>
      [a, b].every((id) =>
        events.some((e) => e.data.event_type === "call.answered" && e.data.payload.call_control_id === id),
      ),
    "both calls answered",
  );
  expect((await call("POST", `/calls/${a}/actions/transfer`, { to: "+12025550181" })).status).toBe(200);
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    const refused = await call<{ errors: Array<{ code: string; detail: string }> }>(
      "POST",
      `/calls/${from}/actions/bridge`,
      {
        call_control_id: to,
      },
    );
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ code: "90033" });
    expect(refused.body.errors[0]?.detail).toMatch(/has a transfer ringing/);
  }
  const leg = sim.calls.list().find((c) => c.to === "+12025550181");
  await receiver.waitFor(
    (events) =>
      events.some((e) => e.data.event_type === "call.bridged" && e.data.payload.call_control_id === leg?.callControlId),
    "the transfer leg bridged",
  );
  expect(sim.calls.get(a)?.bridgedWith).toBe(leg?.callControlId);
  expect(sim.calls.get(b)).toMatchObject({ state: "answered", bridgedWith: undefined });
  expect(receiver.ofCall(a).filter((t) => t === "call.bridged")).toHaveLength(1);
  // The leg hangs up: A goes with it; B was never bridged and can still be transferred.
  sim.calls.get(leg?.callControlId ?? "")?.hangup();
  expect(sim.calls.get(a)?.state).toBe("ended");
  expect((await call("POST", `/calls/${b}/actions/transfer`, { to: "+12025550182" })).status).toBe(200);
  await call("POST", `/calls/${b}/actions/hangup`, {});
});
