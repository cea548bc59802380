// Flows on two processes behind a round-robin proxy, over one Redis (the 50-call run over a Redis Cluster too),
// with the simulator delivering as Telnyx does (duplicates, concurrency, jitter): each call's flow runs once, on
// one instance, and its events reach that instance wherever the proxy sent them. When that instance is killed
// (SIGKILL), another hangs its calls up (a sweep finding silent ones, on the cluster too).
import { afterEach, expect, test } from "vitest";
import { children, closeCluster, cluster, linesOf } from "./many/cluster.js";
import { until } from "./harness.js";

afterEach(closeCluster);

test.each([
  ["one Redis", false],
  ["a Redis Cluster", true],
])(
  "50 concurrent incoming calls on 2 processes over %s: one flow per call, each call's events reach it",
  async (_, redisCluster) => {
    const { sim, lines, callIn } = await cluster({ receivers: 2, leaseMs: 5000, mediaDurationMs: 5, redisCluster });
    const calls = Array.from({ length: 50 }, (_, i) => ({ id: callIn(String(10 + i)), digits: String(10 + i) }));
    await until(() => lines().filter((l) => l.t === "done").length >= 50, "50 flows done", 60_000);
    await sim.idle();
    const all = lines();
    expect(all.filter((l) => l.t === "error")).toEqual([]);
    for (const { id, digits } of calls) {
      const starts = linesOf(all, "start", id);
      expect(starts, id).toHaveLength(1);
      expect(
        linesOf(all, "done", id).map((l) => [l.inst, l.digits]),
        id,
      ).toEqual([[starts[0]?.inst, digits]]);
      expect(sim.calls.get(id)?.hangupCause, id).toBe("normal_clearing");
    }
    // The proxy spread each call's events over both instances: some reached the one not running the call's flow
    // and were relayed to it (that the flows above completed is what proves they arrived).
    const owner = new Map(all.filter((l) => l.t === "start").map((l) => [l.call, l.inst]));
    const elsewhere = all.filter((l) => l.t === "event" && l.call && owner.has(l.call) && owner.get(l.call) !== l.inst);
    expect(elsewhere.length).toBeGreaterThan(50);
    expect(new Set(all.filter((l) => l.t === "start").map((l) => l.inst)).size).toBe(2);
    expect(sim.deliveries.filter((d) => d.final && !d.ok)).toEqual([]);
  },
  90_000,
);

test("an instance killed mid-call: another hangs its calls up once its lease lapses", async () => {
  const { sim, lines, callIn } = await cluster({ receivers: 2, leaseMs: 1000, mediaDurationMs: 4000 });
  const ids = Array.from({ length: 8 }, (_, i) => callIn(String(20 + i)));
  // Every flow is in its long speak.
  await until(() => lines().filter((l) => l.t === "gathered").length >= 8, "8 gathers", 30_000);
  const owner = new Map(
    lines()
      .filter((l) => l.t === "start")
      .map((l) => [l.call as string, l.inst]),
  );
  const victims = ids.filter((id) => owner.get(id) === "inst-0");
  const survivors = ids.filter((id) => owner.get(id) === "inst-1");
  expect(victims.length).toBeGreaterThan(0);
  expect(survivors.length).toBeGreaterThan(0);
  children[0]?.kill("SIGKILL");
  const killedAt = Date.now();
  const finished = () => {
    const all = lines();
    return (
      survivors.every((id) => linesOf(all, "done", id).length === 1) &&
      victims.every((id) => sim.calls.get(id)?.state === "ended")
    );
  };
  await until(finished, "the survivors' flows done and the victims' calls ended", 30_000);
  const all = lines();
  for (const id of victims) {
    // Its flow died before finishing; the call was hung up (by instance 1, as caller) rather than left up.
    expect(linesOf(all, "done", id), id).toHaveLength(0);
    expect(sim.calls.get(id)?.eventTypes.at(-1), id).toBe("call.hangup");
  }
  // Within the speak's end or a lease and a sweep of the kill, well inside Telnyx's redelivery horizon.
  expect(Date.now() - killedAt).toBeLessThan(15_000);
}, 90_000);

test.each([
  ["one Redis", false],
  ["a Redis Cluster", true],
])(
  "an instance killed while its calls are silent, over %s: a sweep finds them once its lease lapses and hangs them up",
  async (_, redisCluster) => {
    const { sim, lines, callIn } = await cluster({
      receivers: 2,
      leaseMs: 1000,
      mediaDurationMs: 5,
      flow: "silent",
      redisCluster,
    });
    const ids = Array.from({ length: 6 }, () => callIn(""));
    await until(() => lines().filter((l) => l.t === "gathered").length >= 6, "6 calls waiting", 30_000);
    const owner = new Map(
      lines()
        .filter((l) => l.t === "start")
        .map((l) => [l.call as string, l.inst]),
    );
    const victims = ids.filter((id) => owner.get(id) === "inst-0");
    expect(victims.length).toBeGreaterThan(0);
    children[0]?.kill("SIGKILL");
    // No webhook comes for these calls: only the sweep of instance 1 (every lease) can find them.
    await until(() => victims.every((id) => sim.calls.get(id)?.state === "ended"), "the victims' calls ended", 15_000);
    for (const id of ids.filter((id) => owner.get(id) === "inst-1"))
      expect(sim.calls.get(id)?.state, id).toBe("answered");
  },
  60_000,
);
