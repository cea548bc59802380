// A running speak, playback or gather has a handle: `stop()` ends it early (barge-in) and its await still settles,
// with the event that ended it, instead of being dropped on the floor.
import { afterEach, expect, test } from "vitest";
import { CallEndedError, type EventPayload, FlowTimeoutError } from "../src/index.js";
import { deferred, type Harness, harness, until } from "./harness.js";

let h: Harness<unknown> | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test("a gather stopped while it runs resolves with the gather's end (cancelled), and stop() with the same", async () => {
  h = await harness({ maxGatherWaitMs: 10_000 });
  const t = h;
  const done = deferred<{
    awaited: EventPayload<"call.gather.ended">;
    stopped: EventPayload<"call.gather.ended">;
    ms: number;
  }>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const began = Date.now();
    const menu = call.gatherUsingSpeak({ payload: "Press a key, or wait", voice: "female", maximum_digits: 4 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = await menu.stop();
    const awaited = await menu;
    await call.hangup();
    done.resolve({ awaited, stopped, ms: Date.now() - began });
  });
  t.callIn();
  const { awaited, stopped, ms } = await done.promise;
  expect(awaited.status).toBe("cancelled");
  expect(stopped).toBe(awaited);
  expect(ms).toBeLessThan(5000);
  expect(t.errors).toEqual([]);
});

test("stop() on what has ended sends nothing and resolves as it did; on a call that ended, rejects as it did", async () => {
  h = await harness({ mediaDurationMs: 30 });
  const t = h;
  const done = deferred<{ first: unknown; again: unknown; after: unknown; stops: number }>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const hello = call.speak({ payload: "Hello", voice: "female" });
    const first = await hello;
    const before = t.sim.events.filter((e) => e.callControlId === call.id).length;
    const again = await hello.stop();
    const stops = t.sim.events.filter((e) => e.callControlId === call.id).length - before;
    const long = call.gatherUsingSpeak({ payload: "Anything?", voice: "female", maximum_digits: 2 });
    t.sim.calls.get(call.id)?.hangup();
    const after = await long.stop().catch((e: unknown) => e);
    done.resolve({ first, again, after, stops });
  });
  t.callIn();
  const { first, again, after, stops } = await done.promise;
  expect(again).toBe(first);
  expect(stops).toBe(0);
  expect(after).toBeInstanceOf(CallEndedError);
});

test("barge-in: the greeting is stopped at the caller's first key, which is left for the next waitFor", async () => {
  h = await harness({ mediaDurationMs: 5000 });
  const t = h;
  const done = deferred<{ ended: EventPayload<"call.speak.ended">; key: string | undefined; ms: number }>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const began = Date.now();
    const greeting = call.speak({ payload: "Welcome to Acme. Our menu has changed...", voice: "female" });
    const off = call.on("call.dtmf.received", () => greeting.stop());
    setTimeout(() => t.sim.calls.get(call.id)?.pressDigits("3"), 100);
    const ended = await greeting;
    off();
    const key = await call.waitFor("call.dtmf.received", { timeoutMs: 2000 });
    await call.hangup();
    done.resolve({ ended, key: key.digit, ms: Date.now() - began });
  });
  t.callIn();
  const { ended, key, ms } = await done.promise;
  expect(key).toBe("3");
  expect(ended.status).toBe("completed");
  // Stopped, not played to its end (5 s).
  expect(ms).toBeLessThan(3000);
  expect(t.errors).toEqual([]);
});

test("playbackStop() called directly resolves with the end of the speak it stopped, and so does the speak", async () => {
  h = await harness({ mediaDurationMs: 5000 });
  const t = h;
  const done = deferred<{ stopped: unknown; spoken: unknown; ms: number }>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const began = Date.now();
    const speech = call.speak({ payload: "A long speech", voice: "female" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = await call.playbackStop({}, { timeoutMs: 3000 });
    done.resolve({ stopped, spoken: await speech, ms: Date.now() - began });
    await call.hangup();
  });
  t.callIn();
  const { stopped, spoken, ms } = await done.promise;
  expect(stopped).toBe(spoken);
  expect(ms).toBeLessThan(3000);
});

test("stop() after the await timed out still stops what runs (a timeout leaves it running)", async () => {
  h = await harness({ maxGatherWaitMs: 10_000 });
  const t = h;
  const done = deferred<unknown>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const menu = call.gather({ maximum_digits: 4 }, { timeoutMs: 100 });
    const timedOut = await menu.catch((e: unknown) => e);
    await menu.stop().catch(() => undefined);
    done.resolve(timedOut);
  });
  const id = t.callIn();
  expect(await done.promise).toBeInstanceOf(FlowTimeoutError);
  await until(() => t.sim.calls.get(id)?.eventTypes.includes("call.gather.ended") === true, "the gather stopped", 3000);
});

test("digits a gather returned are not handed to a later waitFor; a key pressed after it is", async () => {
  h = await harness({ flows: { reorderWindowMs: 60 } });
  const t = h;
  const done = deferred<{ gathered: string | undefined; next: string | undefined }>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const menu = call.gather({ maximum_digits: 2, terminating_digit: "#" });
    t.sim.calls.get(call.id)?.pressDigits("42");
    const { digits } = await menu;
    t.sim.calls.get(call.id)?.pressDigits("7");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await call.waitFor("call.dtmf.received", { timeoutMs: 2000 });
    done.resolve({ gathered: digits, next: next.digit });
    await call.hangup();
  });
  t.callIn();
  expect(await done.promise).toEqual({ gathered: "42", next: "7" });
});
