// A deploy drops no call: two instances over Redis run 40 calls of a few seconds each; mid-run one is told to
// drain (SIGTERM) and a fresh one starts. The draining instance takes no new call, runs its calls to their end,
// then exits; no call is hung up by the drain, every flow completes once.
import { afterEach, expect, test } from "vitest";
import { until } from "./harness.js";
import { children, closeCluster, cluster, linesOf } from "./many/cluster.js";

afterEach(closeCluster);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("draining one of two instances mid-run, with a fresh one started: every call completes, none hung up by it", async () => {
  const { sim, lines, callIn, addInstance } = await cluster({ receivers: 2, leaseMs: 2000, mediaDurationMs: 1500 });
  const ids: string[] = [];
  const digits = (i: number) => String(10 + (i % 90));
  for (let i = 0; i < 20; i++) {
    ids.push(callIn(digits(i)));
    await sleep(50);
  }
  await until(() => lines().filter((l) => l.t === "start").length >= 20, "the first 20 flows started", 20_000);
  // The deploy: instance 0 drains; instance 2 joins. Calls keep coming meanwhile.
  const drainedAt = Date.now();
  children[0]?.kill("SIGTERM");
  await addInstance(2);
  for (let i = 20; i < 40; i++) {
    ids.push(callIn(digits(i)));
    await sleep(50);
  }
  await until(() => ids.every((id) => linesOf(lines(), "done", id).length >= 1), "every flow done", 60_000);
  await until(() => lines().some((l) => l.t === "drained"), "instance 0 drained", 30_000);
  const all = lines();
  expect(all.filter((l) => l.t === "error")).toEqual([]);
  for (const [i, id] of ids.entries()) {
    // Once, on one instance, to its end: the flow hung its call up itself after speaking the digits.
    expect(linesOf(all, "start", id), id).toHaveLength(1);
    expect(
      linesOf(all, "done", id).map((l) => l.digits),
      id,
    ).toEqual([digits(i)]);
    expect(
      sim.calls.get(id)?.eventTypes.filter((t) => t === "call.speak.ended"),
      id,
    ).toHaveLength(1);
  }
  const drained = all.find((l) => l.t === "drained");
  expect(drained).toMatchObject({ inst: "inst-0", hungUp: 0 });
  expect(drained?.finished).toBeGreaterThan(0);
  // After the drain began, no new call started on the draining instance.
  const lateStarts = all.filter((l) => l.t === "start" && l.inst === "inst-0" && (l.at ?? 0) > drainedAt + 200);
  expect(lateStarts).toEqual([]);
  expect(
    new Set(all.filter((l) => l.t === "start" && ids.slice(20).includes(l.call as string)).map((l) => l.inst)),
  ).not.toContain("inst-0");
}, 120_000);
