// A running speak, playback or gather has a handle: `stop()` ends it early (barge-in) and its await still settles,
// with the event that ended it, instead of being dropped on the floor.
import { afterEach, expect, test } from "vitest";
import { CallEndedError, type EventPayload } from "../src/index.js";
import { deferred, type Harness, harness } from "./harness.js";

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

test("barge-in: the greeting is stopped at the caller's first key, and its await resolves", async () => {
  h = await harness({ mediaDurationMs: 5000 });
  const t = h;
  const done = deferred<{ ended: EventPayload<"call.speak.ended">; key: string | undefined; ms: number }>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const began = Date.now();
    const greeting = call.speak({ payload: "Welcome to Acme. Our menu has changed...", voice: "female" });
    const key = call.waitFor("call.dtmf.received");
    setTimeout(() => t.sim.calls.get(call.id)?.pressDigits("3"), 100);
    const pressed = await Promise.race([greeting.then(() => undefined), key]);
    const ended = pressed ? await greeting.stop() : await greeting;
    await call.hangup();
    done.resolve({ ended, key: pressed?.digit, ms: Date.now() - began });
  });
  t.callIn();
  const { ended, key, ms } = await done.promise;
  expect(key).toBe("3");
  expect(ended.status).toBe("completed");
  // Stopped, not played to its end (5 s).
  expect(ms).toBeLessThan(3000);
  expect(t.errors).toEqual([]);
});
