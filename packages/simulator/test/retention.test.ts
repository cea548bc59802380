// Ended calls are kept for endedCallRetentionMs (Telnyx keeps a call's status 10 minutes), then the call, its
// events, its delivery records and its dial command_id go, so a long-running simulator holds steady memory.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_ENDED_CALL_RETENTION_MS,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../src/index.js";
import { api, type DialData, startReceiver } from "./helpers.js";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

async function setup(options: SimulatorOptions) {
  let sim: Simulator | undefined;
  const receiver = await startReceiver(() => sim!.publicKey);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 1, mediaDurationMs: 1, ...options });
  const s = sim;
  running.push(async () => {
    await s.stop();
    await receiver.close();
  });
  return { sim, receiver, call: api(sim), farEnd: api(sim, undefined, "far end") };
}

/** Polls (bounded) until `done()`; the retention timer runs on real time. */
async function until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const dialBody = { connection_id: "c-ret", from: "+12025550100", to: "+12025550111" };

describe("ended call retention", () => {
  it("defaults to 10 minutes, as Telnyx keeps a call's status", () => {
    expect(DEFAULT_ENDED_CALL_RETENTION_MS).toBe(600_000);
  });

  it("keeps an ended call for the retention, then forgets it and everything that hangs off it", async () => {
    const { sim, receiver, call, farEnd } = await setup({ endedCallRetentionMs: 1500 });
    const dialed = await call<DialData>("POST", "/calls", { ...dialBody, command_id: "dial-ret-1" });
    const id = dialed.body.data.call_control_id;
    await receiver.waitFor((e) => e.some((x) => x.data.event_type === "call.answered"), "call.answered");
    await call("POST", `/calls/${id}/actions/hangup`, {});
    await sim.idle();
    // Kept: the status says it ended, its events and deliveries are there, a repeated dial command_id is answered.
    const kept = await call<{ data: { is_alive: boolean } }>("GET", `/calls/${id}`);
    expect([kept.status, kept.body.data.is_alive]).toEqual([200, false]);
    expect(sim.events.filter((e) => e.callControlId === id).length).toBe(3);
    expect(sim.deliveries.filter((d) => d.callControlId === id).length).toBe(3);
    const repeat = await call<DialData>("POST", "/calls", { ...dialBody, command_id: "dial-ret-1" });
    expect(repeat.body.data.call_control_id).toBe(id);

    await until(() => sim.calls.get(id) === undefined, "the call to be forgotten");
    expect((await call("GET", `/calls/${id}`)).status).toBe(404);
    expect(sim.events.filter((e) => e.callControlId === id)).toEqual([]);
    expect(sim.deliveries.filter((d) => d.callControlId === id)).toEqual([]);
    const listed = await farEnd<{ data: Array<{ call_control_id: string }> }>("GET", "/calls");
    expect(listed.body.data.map((c) => c.call_control_id)).not.toContain(id);
    // The command_id went with it: the same command_id now places a new call.
    const again = await call<DialData>("POST", "/calls", { ...dialBody, command_id: "dial-ret-1" });
    expect(again.body.data.call_control_id).not.toBe(id);
  });

  it("a call still delivering is forgotten only once its deliveries are done, and they are recorded", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = createServer((req, res) => {
      req.resume();
      void held.then(() => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    running.push(
      () =>
        new Promise((resolve) => {
          release();
          slow.closeAllConnections();
          slow.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    const { sim, call } = await setup({ endedCallRetentionMs: 0, webhookUrl: url, answerDelayMs: 10_000 });
    const id = (await call<DialData>("POST", "/calls", dialBody)).body.data.call_control_id;
    await call("POST", `/calls/${id}/actions/hangup`, {});
    await until(() => sim.calls.get(id) === undefined, "the call to be forgotten");
    // Its call.initiated is still in flight (the receiver holds it): recorded, not yet dropped.
    await until(() => sim.deliveries.some((d) => d.callControlId === id), "the in-flight delivery record");
    release();
    await sim.idle();
    await until(() => sim.deliveries.every((d) => d.callControlId !== id), "the records to go with the call");
    expect(sim.events.filter((e) => e.callControlId === id)).toEqual([]);
  });

  it("a long run holds steady: 400 calls later, nothing of them is kept", async () => {
    const { sim, receiver, call } = await setup({ endedCallRetentionMs: 50 });
    for (let batch = 0; batch < 8; batch++) {
      const ids = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const res = await call<DialData>("POST", "/calls", { ...dialBody, command_id: `steady-${batch}-${i}` });
          return res.body.data.call_control_id;
        }),
      );
      await Promise.all(ids.map((id) => call("POST", `/calls/${id}/actions/hangup`, {})));
    }
    await sim.idle();
    expect(receiver.events.length).toBeGreaterThanOrEqual(400 * 2);
    await until(() => sim.calls.list().length === 0, "every call to be forgotten");
    await sim.idle();
    await until(() => sim.events.length === 0 && sim.deliveries.length === 0, "events and records to go");
  });
});
