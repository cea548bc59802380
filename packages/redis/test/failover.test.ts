// A Redis Cluster master killed (SIGKILL) and its replica taking over, on a cluster of its own (the shared one
// serves the other test files meanwhile). Replication is asynchronous: a write the master acknowledged but had
// not sent its replica is gone after the failover. Shown here deterministically (the replica is cut off before
// the write), with waitForReplicas refusing to count such a write; then an end-to-end run with a master killed
// mid-run, which loses nothing. Full-size figures, with and without waitForReplicas: `pnpm bench redis-cluster`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisCluster, redisCli, startRedisCluster } from "../../../scripts/redis-cluster.js";
import { type RedisStore, RedisStoreError, redisStore } from "../src/index.js";
import { examine, summarise } from "./e2e/findings.js";
import { runScenario } from "./e2e/scenario.js";

let cluster: RedisCluster;
const opened: RedisStore[] = [];
beforeAll(async () => {
  cluster = await startRedisCluster({ fresh: true });
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await cluster?.stop();
});

const unique = (what: string) => `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** `work`, again until it resolves (the store finds the new master), for at most `ms`. */
async function eventually<T>(work: () => Promise<T>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe("a write the master acknowledged but its replica never got", () => {
  it("is gone after the failover; with waitForReplicas it is refused instead of acknowledged", async () => {
    const prefix = `${unique("lost")}:`;
    const open = (waitForReplicas: number) => {
      const store = redisStore({
        cluster: { rootNodes: [{ url: cluster.url }] },
        keyPrefix: prefix,
        commandTimeoutMs: 1000,
        waitForReplicas,
        onError: () => {},
      });
      opened.push(store);
      return store;
    };
    const [plain, waiting] = [open(0), open(1)];
    // Three events whose keys are on one master.
    const master = await cluster.masterFor(`${prefix}event:first`);
    const ids = ["first"];
    while (ids.length < 3) {
      const id = unique("event");
      if ((await cluster.masterFor(`${prefix}event:${id}`)) === master) ids.push(id);
    }
    const [warm, acknowledged, refused] = ids as [string, string, string];
    // Both stores connected and their scripts on that master; the replica in sync.
    expect(await plain.claimEvent(warm, "o", 60_000)).toBe("claimed");
    expect(await waiting.completeEvent(warm, "o", 60_000)).toBe(true);

    // Cut the replica off: stopped, and its link closed by the master, so nothing more reaches it.
    const replica = await cluster.replicaOf(master);
    replica.process.kill("SIGSTOP");
    await redisCli(master.port, ["CLIENT", "KILL", "TYPE", "replica"]);

    expect(await plain.claimEvent(acknowledged, "o", 60_000)).toBe("claimed");
    expect(await plain.completeEvent(acknowledged, "o", 60_000)).toBe(true);
    const error = await waiting.claimEvent(refused, "o", 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisStoreError);
    expect((error as Error).message).toMatch(/claimEvent failed \(written on the primary, but 0 of the 1 replicas/);

    const { failoverMs } = await cluster.killMaster(master, { afterKill: () => replica.process.kill("SIGCONT") });
    console.log(`[failover] the replica took over ${Math.round(failoverMs)} ms after the kill`);
    // The done marker the store acknowledged is gone: the event would be handled again.
    expect(await eventually(() => plain.claimEvent(acknowledged, "p", 60_000), 10_000)).toBe("claimed");
    expect(await plain.claimEvent(warm, "p", 60_000)).toBe("done");

    // The new master has no replica yet: the waiting store refuses every write there, until the dead node is
    // back as its replica.
    const none = await waiting.claimEvent(refused, "p", 60_000).catch((e: unknown) => e);
    expect(String(none)).toMatch(/0 of the 1 replicas/);
    await cluster.restart(master);
    expect(await eventually(() => waiting.claimEvent(refused, "p", 60_000), 10_000)).toBe("claimed");
    expect(await waiting.completeEvent(refused, "p", 60_000)).toBe(true);
  }, 60_000);
});

describe("end to end, a master killed mid-run", () => {
  it("3 receivers on the cluster waiting for a replica, a master killed and replaced: nothing lost, no overlap", async () => {
    const master = await cluster.masterFor("any");
    let failoverMs = 0;
    const result = await runScenario({
      store: "redis",
      redisClusterUrl: cluster.url,
      waitForReplicas: 1,
      receivers: 3,
      calls: 40,
      jitterMs: 30,
      reorderWindowMs: 60,
      leaseMs: 2000,
      seed: 17,
      fault: {
        at: 0.3,
        run: async () => {
          ({ failoverMs } = await cluster.killMaster(master));
          await cluster.restart(master);
        },
      },
    });
    summarise(`3 x redis cluster, master killed (failover ${Math.round(failoverMs)} ms)`, result, 60);
    expect(result.fault).toBeDefined();
    // Telnyx gave up on nothing: the deliveries refused during the failover came again and were handled.
    expect(result.deliveries.filter((d) => d.final && !d.ok)).toEqual([]);
    expect(result.deliveries.some((d) => d.attempt > 1 && d.ok)).toBe(true);
    const findings = examine(result, 60);
    expect(findings.lost).toEqual([]);
    expect(findings.overlaps).toEqual([]);
    expect(findings.wrongLate).toEqual([]);
    // A handler that ended while its event's master was down could not mark it done (the router tries 3 times
    // in 50 ms, then answers 200); a copy that comes once its claim lapsed runs it again. Only the few handlers
    // in flight at the kill can be in that window.
    expect(findings.twice.length).toBeLessThanOrEqual(3);
  }, 90_000);
});
