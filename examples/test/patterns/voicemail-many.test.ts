// The voicemail pattern on two processes behind a round-robin proxy over Redis. A first wave of callers leaves
// messages with both instances up (their recording events, which name only the call's leg, reach the instance
// running the call's flow wherever they arrive); then one instance is SIGKILLed mid-message: its calls are hung
// up by the other (as the flows README says), and the other's callers still leave their messages.
import { afterEach, expect, test } from "vitest";
import { type Cluster, cluster, ownerOf } from "./cluster.ts";
import { sleep, until } from "./harness.ts";

let c: Cluster | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

test("messages saved on the instance running each call; a killed instance's calls are hung up", async () => {
  c = await cluster({ pattern: "voicemail", instances: 2, leaseMs: 1000 });
  const { sim, connectionId, lines } = c;
  const callIn = (i: number) =>
    sim.inboundCall({ from: `+1312555${String(1000 + i)}`, to: "+13125550100", connectionId });
  const finish = (calls: ReturnType<typeof callIn>[]) => {
    for (const [i, call] of calls.entries()) i % 2 ? call.hangup() : call.pressDigits("#");
  };
  const recording = (call: ReturnType<typeof callIn>) =>
    call.eventTypes.filter((type) => type === "call.speak.ended").length >= 1;

  // Wave 1: both instances up; half press #, half hang up.
  const first = Array.from({ length: 8 }, (_, i) => callIn(i));
  await until(() => first.every(recording), "wave 1 recording", 20_000);
  await sleep(300); // the recordings start once the greetings have ended
  finish(first);
  await until(() => lines().filter((l) => l.t === "saved").length === 8, "wave 1 saved", 20_000);

  // Wave 2: mid-message, instance 0 dies.
  const second = Array.from({ length: 8 }, (_, i) => callIn(100 + i));
  await until(() => second.every(recording), "wave 2 recording", 20_000);
  await sleep(300);
  const owners = new Map(second.map((call) => [call.callControlId, ownerOf(call.clientState)]));
  const victims = second.filter((call) => owners.get(call.callControlId) === "inst-0");
  const survivors = second.filter((call) => owners.get(call.callControlId) === "inst-1");
  expect(victims.length).toBeGreaterThan(0);
  expect(survivors.length).toBeGreaterThan(0);
  c.children[0]?.kill("SIGKILL");
  // The dead instance's calls send no more webhooks until their callers act: the survivor's sweep finds them.
  await until(() => victims.every((call) => call.state === "ended"), "the victims' calls hung up", 15_000);
  finish(survivors);
  await until(
    () => survivors.every((call) => lines().some((l) => l.t === "saved" && l.leg === call.callLegId)),
    "survivors saved",
    20_000,
  );
  await until(() => survivors.every((call) => call.state === "ended"), "survivors ended", 20_000);

  const all = lines();
  expect(all.filter((l) => l.t === "error")).toEqual([]);
  for (const call of [...first, ...survivors]) {
    const saved = all.filter((l) => l.t === "saved" && l.leg === call.callLegId);
    expect(
      saved.map((l) => l.inst),
      call.from,
    ).toEqual([ownerOf(call.clientState)]);
  }
  for (const call of victims) {
    expect(
      all.some((l) => l.t === "saved" && l.leg === call.callLegId),
      call.from,
    ).toBe(false);
    // Its caller never hung up: the surviving instance did, rather than leave the call up with no flow.
    expect(call.state, call.from).toBe("ended");
  }
  // Recording events name only the leg, and the proxy spread them over both instances in wave 1: some reached
  // the instance not running the call and were relayed (the saves above, each on its owner, prove they arrived).
  const elsewhere = all.filter(
    (l) =>
      l.t === "event" &&
      l.type === "call.recording.saved" &&
      first.some((call) => call.callLegId === l.leg && ownerOf(call.clientState) !== l.inst),
  );
  expect(elsewhere.length).toBeGreaterThan(0);
}, 120_000);
