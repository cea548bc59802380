// The voicemail pattern on one process, against the simulator delivering as Telnyx may: callers who press # and
// callers who hang up mid-message both leave a saved recording, which the app gets.
import { afterEach, expect, test } from "vitest";
import { type Voicemail, voicemail } from "../../patterns/voicemail.ts";
import { CALLER, type Harness, harness, OUR_NUMBER, sleep, until } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test("pound or hangup, every caller's message is saved and reaches the app", async () => {
  h = await harness();
  const t = h;
  const saved: Voicemail[] = [];
  voicemail(t.flows, (message) => void saved.push(message));
  const calls = Array.from({ length: 10 }, (_, i) => ({
    sim: t.sim.inboundCall({ from: `${CALLER.slice(0, -2)}${10 + i}`, to: OUR_NUMBER, connectionId: t.connectionId }),
    ends: i % 2 === 0 ? ("pound" as const) : ("hangup" as const),
  }));
  // Each caller talks a while once the recording has started, then presses # or hangs up.
  await until(() => calls.every((c) => c.sim.eventTypes.includes("call.speak.ended")), "every greeting to end");
  await sleep(100);
  for (const c of calls) {
    if (c.ends === "pound") c.sim.pressDigits("#");
    else c.sim.hangup();
  }
  await until(() => saved.length === calls.length, "every message saved");
  await until(() => calls.every((c) => c.sim.state === "ended"), "every call ended");
  await t.sim.idle();
  for (const c of calls) {
    const message = saved.find((m) => m.from === c.sim.from);
    expect(message?.recording.call_leg_id, c.sim.from).toBe(c.sim.callLegId);
    expect(message?.recording.recording_urls?.mp3, c.sim.from).toMatch(/^https:\/\//);
    // The hung-up callers' recordings came after their hangup; the others heard goodbye and were hung up.
    const types = c.sim.eventTypes;
    if (c.ends === "hangup")
      expect(types.indexOf("call.recording.saved")).toBeGreaterThan(types.indexOf("call.hangup"));
    else expect(types.filter((type) => type === "call.speak.ended")).toHaveLength(2);
  }
  expect(saved).toHaveLength(calls.length);
  expect(t.errors).toEqual([]);
});
