// The outbound campaign on two processes behind a round-robin proxy over Redis, sharing one list (a Redis list)
// and one dial pace; one instance is SIGKILLed mid-campaign. No number is dialled twice; the killed instance's
// calls are hung up by the other (as the flows README says); the other finishes the list.
import { createClient } from "@redis/client";
import { afterEach, expect, inject, test } from "vitest";
import type { Result } from "../../patterns/campaign.ts";
import { type Cluster, cluster } from "./cluster.ts";
import { until } from "./harness.ts";

let c: Cluster | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

/** What each number does when called: the simulator's number rules, and scripted keys for people. */
function list(): Array<{ to: string; expect: Result; digits?: string }> {
  return Array.from({ length: 24 }, (_, i) => {
    const to = (suffix: string) => `+1312${String(600 + i)}${suffix}`;
    switch (i % 4) {
      case 0:
        return { to: to("0700"), expect: "message left" };
      case 1:
        return { to: to("0201"), expect: "interested", digits: "1" };
      case 2:
        return { to: to("0202"), expect: "not interested", digits: "2" };
      default:
        return { to: to("0486"), expect: "busy" };
    }
  });
}

test("one list, two instances, one killed mid-run: nothing dialled twice, the rest finished", async () => {
  const prefix = `campaign-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
  c = await cluster({
    pattern: "campaign",
    instances: 2,
    leaseMs: 1000,
    sim: { mediaDurationMs: 150 },
    env: { KEY_PREFIX: prefix, DIALS_PER_SECOND: "8" },
  });
  const { sim, lines, children, connectionId } = c;
  const numbers = list();
  for (const n of numbers) if (n.digits) sim.farEnd(n.to, { digits: n.digits });
  const redis = createClient({ url: inject("redisUrl") });
  await redis.connect();
  try {
    await redis.rPush(
      `${prefix}campaign`,
      numbers.map((n) => n.to),
    );
  } finally {
    await redis.quit();
  }
  for (const child of children) child.send({ t: "start", connectionId });

  await until(() => lines().filter((l) => l.t === "result").length >= 6, "6 results", 30_000);
  children[0]?.kill("SIGKILL");
  await until(() => lines().some((l) => l.t === "finished" && l.inst === "inst-1"), "the survivor to finish", 60_000);
  await until(() => sim.calls.list().every((call) => call.state === "ended"), "every call to end", 30_000);

  const all = lines();
  expect(all.filter((l) => l.t === "error")).toEqual([]);
  const dialled = sim.calls.list().map((call) => call.to);
  // Each number at most once, across both instances and the kill.
  expect(dialled.length).toBe(new Set(dialled).size);
  const results = all.filter((l) => l.t === "result");
  for (const line of results) expect(line.result, String(line.to)).toBe(numbers.find((n) => n.to === line.to)?.expect);
  // Every number was taken: reported, or in flight on the killed instance when it died (at most its 4 workers'
  // numbers: dialled and hung up by the survivor, or taken from the list and not yet dialled). None is retried:
  // retrying could dial a number twice.
  const reported = new Set(results.map((l) => l.to));
  expect(reported.size).toBe(results.length);
  const lost = numbers.filter((n) => !reported.has(n.to));
  expect(lost.length).toBeLessThanOrEqual(4);
  expect(reported.size + lost.length).toBe(numbers.length);
  expect(results.filter((l) => l.inst === "inst-1").length).toBeGreaterThan(
    results.filter((l) => l.inst === "inst-0").length,
  );
}, 120_000);
