// CallFlows against the simulator delivering webhooks duplicated, concurrently and with jitter.
import { afterEach, describe, expect, test } from "vitest";
import { decodeClientState } from "../src/client-state.js";
import {
  ActionFailedError,
  type Call,
  CallEndedError,
  DialFailedError,
  FlowError,
  FlowStateError,
  FlowTimeoutError,
} from "../src/index.js";
import { AGENT, BUSY, deferred, type Harness, harness, NO_ANSWER, OUR_NUMBER, REJECTS, until } from "./harness.js";

let h: Harness<unknown> | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start<State = unknown>(options: Parameters<typeof harness>[0] = {}): Promise<Harness<State>> {
  const made = await harness<State>(options);
  h = made as Harness<unknown>;
  return made;
}

describe("an incoming call", () => {
  test("the IVR: answer, gather, dial an agent, bridge, wait for the agent to hang up", async () => {
    const t = await start();
    const done = deferred<string>();
    t.flows.incoming(async (call) => {
      await call.answer();
      const gather = await call.gatherUsingSpeak({ payload: "Press 1 for sales", voice: "female", maximum_digits: 1 });
      if (gather.digits !== "1") return call.hangup();
      const agent = await t.flows.dial({ connection_id: "flows-app", from: OUR_NUMBER, to: AGENT });
      const bridged = await call.bridge(agent);
      expect(bridged.call_control_id).toBe(call.id);
      t.sim.calls.get(agent.id)?.hangup();
      const ended = await agent.ended;
      done.resolve(`${gather.digits} ${ended.hangup_cause}`);
    });
    const id = t.callIn("1");
    expect(await done.promise).toBe("1 normal_clearing");
    expect(t.sim.calls.get(id)?.eventTypes).toEqual(
      expect.arrayContaining(["call.initiated", "call.answered", "call.gather.ended", "call.bridged"]),
    );
    expect(t.errors).toEqual([]);
  });

  test("the flow starts once however often call.initiated is delivered", async () => {
    const t = await start({ delivery: { duplicateRate: 1, concurrency: 4, jitterMs: 20, seed: 3 } });
    const started: string[] = [];
    t.flows.incoming(async (call) => {
      started.push(call.id);
      await call.answer();
      await call.hangup();
    });
    const ids = [t.callIn(), t.callIn(), t.callIn()];
    for (const id of ids) await until(() => t.sim.calls.get(id)?.state === "ended", `${id} ended`);
    await t.sim.idle();
    const copies = t.sim.deliveries.filter((d) => d.eventType === "call.initiated" && d.ok);
    expect(copies.length).toBeGreaterThanOrEqual(6);
    expect(started.sort()).toEqual([...ids].sort());
  });

  test("a duplicated call.speak.ended does not resolve the next speak", async () => {
    // Every event twice, each copy jittered: the first speak's duplicate arrives while the second speak waits.
    const t = await start({
      delivery: { duplicateRate: 1, concurrency: 4, jitterMs: 60, seed: 11 },
      mediaDurationMs: 30,
    });
    const done = deferred<Array<number | undefined>>();
    t.flows.incoming(async (call) => {
      await call.answer();
      const seqs: Array<number | undefined> = [];
      for (const text of ["one", "two", "three"]) {
        const ended = await call.speak({ payload: text, voice: "female" });
        seqs.push(decodeClientState(ended.client_state)?.seq);
      }
      await call.hangup();
      done.resolve(seqs);
    });
    t.callIn();
    // answer is command 1; each speak resolves with the event its own command (2, 3, 4) was followed by.
    expect(await done.promise).toEqual([2, 3, 4]);
  });

  test("DTMF during a speak reaches call.on; the speak still resolves", async () => {
    const t = await start({ mediaDurationMs: 300 });
    const done = deferred<string[]>();
    t.flows.incoming(async (call) => {
      const digits: string[] = [];
      call.on("call.dtmf.received", (payload) => digits.push(payload.digit ?? "?"));
      await call.answer();
      const speaking = call.speak({ payload: "Long message", voice: "female" });
      t.sim.calls.get(call.id)?.pressDigits("42");
      await speaking;
      await until(() => digits.length === 2, "two digits");
      await call.hangup();
      done.resolve(digits);
    });
    t.callIn();
    expect(await done.promise).toEqual(["4", "2"]);
  });

  test("a hangup mid-speak rejects the await with CallEndedError and its cause; call.ended resolves", async () => {
    const t = await start({ mediaDurationMs: 2000 });
    const outcome = deferred<unknown>();
    t.flows.incoming(async (call) => {
      await call.answer();
      const speaking = call.speak({ payload: "A long story", voice: "female" });
      setTimeout(() => t.sim.calls.get(call.id)?.hangup("normal_clearing"), 50);
      try {
        await speaking;
        outcome.resolve("resolved");
      } catch (error) {
        outcome.resolve(error);
      }
      // Commands after the hangup are refused without a request.
      await expect(call.speak({ payload: "too late", voice: "female" })).rejects.toBeInstanceOf(CallEndedError);
      expect((await call.ended).hangup_source).toBe("callee");
    });
    t.callIn();
    const error = await outcome.promise;
    expect(error).toBeInstanceOf(CallEndedError);
    expect((error as CallEndedError).hangup_cause).toBe("normal_clearing");
    expect(t.errors).toEqual([]);
  });

  test("a hangup mid-gather rejects the gather", async () => {
    const t = await start({ maxGatherWaitMs: 5000 });
    const outcome = deferred<unknown>();
    t.flows.incoming(async (call) => {
      await call.answer();
      const gathering = call.gatherUsingSpeak({ payload: "Your PIN?", voice: "female", maximum_digits: 4 });
      setTimeout(() => t.sim.calls.get(call.id)?.hangup(), 80);
      await gathering.then(outcome.resolve, outcome.resolve);
    });
    t.callIn();
    expect(await outcome.promise).toBeInstanceOf(CallEndedError);
  });

  test("a hangup while bridged rejects what the flow waits for, on that leg only", async () => {
    const t = await start();
    const outcome = deferred<[unknown, string | undefined]>();
    t.flows.incoming(async (call) => {
      await call.answer();
      const agent = await t.flows.dial({ connection_id: "flows-app", from: OUR_NUMBER, to: AGENT });
      // Bridged from the agent's side with park_after_unbridge: the agent stays up when the caller leaves.
      await agent.bridge({ call_control_id: call.id, park_after_unbridge: "self" });
      const waiting = call.waitFor("call.dtmf.received");
      t.sim.calls.get(call.id)?.hangup();
      const error = await waiting.then(
        () => "resolved",
        (e: unknown) => e,
      );
      outcome.resolve([error, agent.isEnded ? "ended" : "up"]);
      await agent.hangup();
    });
    t.callIn();
    const [error, agentState] = await outcome.promise;
    expect(error).toBeInstanceOf(CallEndedError);
    expect(agentState).toBe("up");
  });

  test("two flows on two bridged legs each see their own events", async () => {
    const t = await start();
    const legs = new Map<string, Call>();
    const seen = new Map<string, string[]>();
    const done = deferred<void>();
    let finished = 0;
    t.flows.incoming(async (call) => {
      // Listening from the start: the other flow may bridge this call before this flow gets to wait for it.
      const bridgedHere = new Promise<{ call_control_id?: string }>((resolve) => call.on("call.bridged", resolve));
      await call.answer();
      legs.set(call.id, call);
      await until(() => legs.size === 2, "both legs answered");
      const other = [...legs.values()].find((leg) => leg.id !== call.id) as Call;
      // The first leg bridges; the other flow sees its own call.bridged.
      const bridged = call.id < other.id ? await call.bridge(other) : await bridgedHere;
      const spoken = await call.speak({ payload: `hello ${call.id}`, voice: "female" });
      seen.set(call.id, [bridged.call_control_id ?? "", spoken.call_control_id ?? ""]);
      if (++finished === 2) done.resolve();
    });
    const a = t.callIn();
    const b = t.callIn();
    await done.promise;
    expect(seen.get(a)).toEqual([a, a]);
    expect(seen.get(b)).toEqual([b, b]);
    expect(t.sim.calls.get(a)?.bridgedWith).toBe(b);
  });

  test("a flow that throws hangs its call up and reports the error", async () => {
    const t = await start();
    const ended = deferred<string>();
    t.flows.incoming(async (call) => {
      call.ended.then((payload) => ended.resolve(payload.hangup_source ?? ""));
      await call.answer();
      throw new Error("bug in the flow");
    });
    t.callIn();
    expect(await ended.promise).toBe("caller");
    expect(t.errors).toHaveLength(1);
    expect((t.errors[0] as Error).message).toBe("bug in the flow");
  });

  test("every await times out", async () => {
    const t = await start({ maxGatherWaitMs: 5000 });
    const outcome = deferred<unknown>();
    t.flows.incoming(async (call) => {
      await call.answer();
      await call
        .gatherUsingSpeak({ payload: "Anything?", voice: "female", maximum_digits: 3 }, { timeoutMs: 100 })
        .then(outcome.resolve, outcome.resolve);
      await call.hangup();
    });
    t.callIn();
    const error = await outcome.promise;
    expect(error).toBeInstanceOf(FlowTimeoutError);
    expect((error as FlowTimeoutError).message).toBe(
      "gatherUsingSpeak: no call.gather.ended within 100 ms (no event of this call arrived meanwhile). Pass { timeoutMs } to wait longer.",
    );
  });
});

describe("flows.dial", () => {
  test.each([
    [BUSY, "user_busy", "486"],
    [NO_ANSWER, "timeout", "408"],
    [REJECTS, "call_rejected", "603"],
  ])("to %s rejects with DialFailedError carrying %s / SIP %s", async (to, cause, sip) => {
    const t = await start();
    const error = await t.flows.dial({ connection_id: "flows-app", from: OUR_NUMBER, to }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DialFailedError);
    expect(error).toBeInstanceOf(CallEndedError);
    expect((error as DialFailedError).hangup_cause).toBe(cause);
    expect((error as DialFailedError).sip_hangup_cause).toBe(sip);
  });

  test("resolves with the answered call, whose commands work", async () => {
    const t = await start();
    const call = await t.flows.dial({ connection_id: "flows-app", from: OUR_NUMBER, to: AGENT });
    expect(t.sim.calls.get(call.id)?.state).toBe("answered");
    expect(call.direction).toBe("outgoing");
    const spoken = await call.speak({ payload: "Hello", voice: "female" });
    expect(spoken.call_control_id).toBe(call.id);
    expect((await call.hangup()).hangup_cause).toBe("normal_clearing");
    expect(call.isEnded).toBe(true);
  });
});

describe("transfer and refusals", () => {
  test("transfer resolves when this call is bridged to the new leg; a leg that is busy fails it", async () => {
    const t = await start();
    const call = await t.flows.dial({ connection_id: "flows-app", from: OUR_NUMBER, to: AGENT });
    const failed = await call.transfer({ to: BUSY }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ActionFailedError);
    expect((failed as ActionFailedError).payload.hangup_cause).toBe("user_busy");
    const bridged = await call.transfer({ to: "+13125550123" });
    expect(bridged.call_control_id).toBe(call.id);
    await call.hangup();
  });

  test("client_state is the flow's: refused in a body, and state beyond the limit is refused before sending", async () => {
    const t = await start<{ note: string }>({ flows: { clientStateLimit: 200 } });
    const call = (await t.flows.dial(
      { connection_id: "flows-app", from: OUR_NUMBER, to: AGENT },
      { state: { note: "hi" } },
    )) as Call<{ note: string }>;
    expect(call.state).toEqual({ note: "hi" });
    await expect(
      call.speak({ payload: "x", voice: "female", client_state: "aGk=" } as unknown as Parameters<Call["speak"]>[0]),
    ).rejects.toBeInstanceOf(FlowError);
    call.state = { note: "y".repeat(500) };
    await expect(call.speak({ payload: "x", voice: "female" })).rejects.toBeInstanceOf(FlowStateError);
    call.state = { note: "short" };
    const spoken = await call.speak({ payload: "x", voice: "female" });
    expect(decodeClientState<{ note: string }>(spoken.client_state)?.state).toEqual({ note: "short" });
    await call.hangup();
  });
});

test("50 concurrent incoming calls: each flow sees its own events only", async () => {
  const t = await start();
  const results = new Map<string, string>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const gather = await call.gatherUsingSpeak({ payload: "Code?", voice: "female", maximum_digits: 2 });
    const spoken = await call.speak({ payload: `You said ${gather.digits}`, voice: "female" });
    results.set(
      call.id,
      `${gather.call_control_id === call.id} ${spoken.call_control_id === call.id} ${gather.digits}`,
    );
    await call.hangup();
  });
  const ids = Array.from({ length: 50 }, (_, i) => t.callIn(String(10 + i)));
  await until(() => results.size === 50, "50 flows", 30_000);
  expect(ids.map((id) => results.get(id))).toEqual(ids.map((_, i) => `true true ${10 + i}`));
  expect(t.errors).toEqual([]);
}, 60_000);

describe("state that grew too large", () => {
  test("the hangup still goes out (without the state); an incoming call with a state over the limit is answered", async () => {
    const t = await start<{ note: string }>({ flows: { clientStateLimit: 200 } });
    const outcome = deferred<{ speak: unknown; state: unknown }>();
    t.flows.incoming(async (call) => {
      const arrived = call.state;
      await call.answer();
      call.state = { note: "x".repeat(300) };
      const speak = await call.speak({ payload: "Hi", voice: "female" }).catch((e: unknown) => e);
      await call.hangup();
      outcome.resolve({ speak, state: arrived });
    });
    const big = Buffer.from(JSON.stringify({ tv: 1, n: 1, s: { note: "y".repeat(400) } })).toString("base64");
    const inbound = t.sim.inboundCall({
      from: "+13125550142",
      to: OUR_NUMBER,
      connectionId: "flows-app",
      clientState: big,
    });
    const { speak, state } = await outcome.promise;
    expect(speak).toBeInstanceOf(FlowStateError);
    expect(state).toBeUndefined();
    await until(() => inbound.state === "ended", "the hangup");
    expect(inbound.hangupCause).toBe("normal_clearing");
    expect(t.errors.map(String)).toEqual([
      expect.stringMatching(/came in with a client_state whose state is over clientStateLimit/),
    ]);
  });
});
