// redisStore on a Redis Cluster (3 masters with a replica each, Debian's redis-server on loopback, started by
// scripts/redis-cluster.ts) and what a failover can do (issue 18, item 6). Replication is asynchronous: a master
// killed (SIGKILL) takes with it the writes it acknowledged but had not yet sent its replica. `waitForReplicas: 1`
// sends WAIT after each claim and completion, so that neither counts before a replica has it. Measured here:
//   1. its cost: claim + complete per event, 64 in flight, side by side in interleaved rounds (medians);
//   2. acknowledged done markers lost when a master is killed under that load (a fresh cluster per run);
//   3. an end-to-end run (the simulator delivering as Telnyx does, 3 receiver processes behind a round-robin
//      proxy, 120 calls) with a master killed at 35% of it and brought back as a replica: events lost and
//      handled twice, with and without the wait, over a few runs each.
// Each kill twice: a crash with the replica in sync (on loopback it has every write the master acknowledged:
// the master wrote them to its socket before dying), and with the replica 0.5 s behind (stopped, its link
// closed), as a slow link or a partition leaves it: what a failover can lose.
import { fileURLToPath } from "node:url";
import { type RedisStore, redisStore } from "@telnyx-voice/redis";
import { examine } from "../packages/redis/test/e2e/findings.ts";
import { runScenario } from "../packages/redis/test/e2e/scenario.ts";
import { type RedisCluster, type RedisClusterNode, redisCli, startRedisCluster } from "../scripts/redis-cluster.ts";
import { median } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const IN_FLIGHT = 64;
const EVENTS = 4000;
const ROUNDS = 3;
const FAILOVER_RUNS = 3;
const E2E_RUNS = 2;
const E2E_CALLS = 120;
const LAG_MS = 500;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** `events` claim + complete pairs, `IN_FLIGHT` at a time: events per second and each pair's latency. */
async function drive(store: RedisStore, run: string, events: number) {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < events) {
        const id = `${run}-${next++}`;
        const start = performance.now();
        if ((await store.claimEvent(id, "bench", 60_000)) !== "claimed") throw new Error(`${id} was not claimed`);
        await store.completeEvent(id, "bench", 60_000);
        latencies.push(performance.now() - start);
      }
    }),
  );
  return {
    perSecond: events / ((performance.now() - began) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function cost(): Promise<BenchRow[]> {
  const cluster = await startRedisCluster({ fresh: true });
  const rootNodes = [{ url: cluster.url }];
  const stores = {
    wait: redisStore({ cluster: { rootNodes }, keyPrefix: "bench-wait:", waitForReplicas: 1 }),
    none: redisStore({ cluster: { rootNodes }, keyPrefix: "bench-none:" }),
  };
  try {
    for (const store of Object.values(stores)) await drive(store, `warm-${Math.random()}`, 500);
    const samples: Record<"wait" | "none", Array<Awaited<ReturnType<typeof drive>>>> = { wait: [], none: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 ? (["none", "wait"] as const) : (["wait", "none"] as const)) {
        samples[name].push(await drive(stores[name], `r${round}-${Math.random()}`, EVENTS));
      }
    }
    const fig = (name: "wait" | "none", key: "perSecond" | "p50" | "p99") => median(samples[name].map((s) => s[key]));
    const load = `claim + complete, ${IN_FLIGHT} in flight, a Redis Cluster of 3 masters + 3 replicas on loopback`;
    return [
      {
        metric: `events/s (${load}): waitForReplicas 1`,
        ours: `${Math.round(fig("wait", "perSecond")).toLocaleString("en-US")}/s`,
        baseline: `no wait: ${Math.round(fig("none", "perSecond")).toLocaleString("en-US")}/s`,
        ratio: fig("wait", "perSecond") / fig("none", "perSecond"),
        better: "higher",
      },
      {
        metric: "latency p50 of claim + complete: waitForReplicas 1",
        ours: `${fig("wait", "p50").toFixed(2)} ms`,
        baseline: `no wait: ${fig("none", "p50").toFixed(2)} ms`,
        ratio: fig("wait", "p50") / fig("none", "p50"),
        better: "lower",
      },
      {
        metric: "latency p99 of claim + complete: waitForReplicas 1",
        ours: `${fig("wait", "p99").toFixed(2)} ms`,
        baseline: `no wait: ${fig("none", "p99").toFixed(2)} ms`,
        ratio: fig("wait", "p99") / fig("none", "p99"),
        better: "lower",
      },
    ];
  } finally {
    await Promise.all(Object.values(stores).map((s) => s.close()));
    await cluster.stop();
  }
}

/** How a master dies: crashed with its replica in sync, or with its replica `lagMs` behind (cut off, then woken). */
type Fault = { lagMs: number };

/** Kills the master `master` as `fault` says; resolves once its replica serves its slots. */
async function kill(cluster: RedisCluster, master: RedisClusterNode, fault: Fault): Promise<number> {
  if (fault.lagMs === 0) return (await cluster.killMaster(master)).failoverMs;
  // The replica stopped and its link closed: what the master acknowledges from now on reaches no replica, as
  // when a replica falls behind (a slow network, a partition) for lagMs before its master dies.
  const replica = await cluster.replicaOf(master);
  replica.process.kill("SIGSTOP");
  await redisCli(master.port, ["CLIENT", "KILL", "TYPE", "replica"]);
  await new Promise((resolve) => setTimeout(resolve, fault.lagMs));
  return (await cluster.killMaster(master, { afterKill: () => replica.process.kill("SIGCONT") })).failoverMs;
}

/**
 * Claim + complete at full speed on a fresh cluster; after a second a master dies (`fault`); once its replica
 * took over, every completion the store acknowledged is checked: a claim that succeeds finds its marker gone.
 */
async function lostInFailover(waitForReplicas: number, fault: Fault) {
  const cluster = await startRedisCluster({ fresh: true });
  const target = { cluster: { rootNodes: [{ url: cluster.url }] }, commandTimeoutMs: 1000, onError: () => {} };
  const store = redisStore({ ...target, keyPrefix: "bench-failover:", waitForReplicas });
  const checker = redisStore({ ...target, keyPrefix: "bench-failover:" });
  try {
    const acknowledged: string[] = [];
    let stop = false;
    let next = 0;
    const workers = Array.from({ length: IN_FLIGHT }, async () => {
      while (!stop) {
        const id = `e${next++}`;
        try {
          if ((await store.claimEvent(id, "w", 60_000)) !== "claimed") continue;
          await store.completeEvent(id, "w", 60_000);
          acknowledged.push(id);
        } catch {
          // The shard is down or failing over (or has no replica in sync): not acknowledged, not counted.
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const failoverMs = await kill(cluster, await cluster.masterFor("bench-failover:event:e0"), fault);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stop = true;
    await Promise.all(workers);
    let lost = 0;
    for (let i = 0; i < acknowledged.length; i += IN_FLIGHT) {
      const batch = acknowledged.slice(i, i + IN_FLIGHT);
      const found = await Promise.all(batch.map((id) => checker.claimEvent(id, "checker", 60_000)));
      lost += found.filter((r) => r !== "done").length;
    }
    return { acknowledged: acknowledged.length, lost, failoverMs };
  } finally {
    await Promise.all([store.close(), checker.close()]);
    await cluster.stop();
  }
}

/** One end-to-end run on a fresh cluster: a master dies (`fault`) at 35%, and comes back as a replica. */
async function endToEnd(waitForReplicas: number, fault: Fault, seed: number) {
  const cluster = await startRedisCluster({ fresh: true });
  try {
    const master = await cluster.masterFor("any");
    let failoverMs = 0;
    const result = await runScenario({
      store: "redis",
      redisClusterUrl: cluster.url,
      waitForReplicas,
      receivers: 3,
      calls: E2E_CALLS,
      jitterMs: 30,
      reorderWindowMs: 60,
      leaseMs: 2000,
      seed,
      quiet: true,
      fault: {
        at: 0.35,
        run: async () => {
          failoverMs = await kill(cluster, master, fault);
          await cluster.restart(master);
        },
      },
    });
    const findings = examine(result, 60);
    return {
      events: result.emitted.length,
      lost: findings.lost.length,
      twice: findings.twice.length,
      overlaps: findings.overlaps.length,
      failoverMs,
    };
  } finally {
    await cluster.stop();
  }
}

const sum = <K extends string>(list: Array<Record<K, number>>, key: K) => list.reduce((n, r) => n + r[key], 0);

export async function run(): Promise<BenchRow[]> {
  const rows = await cost();
  for (const fault of [{ lagMs: 0 }, { lagMs: LAG_MS }]) {
    const how = fault.lagMs ? `its replica ${fault.lagMs} ms behind` : "its replica in sync";
    const losses: Record<"wait" | "none", Array<Awaited<ReturnType<typeof lostInFailover>>>> = { wait: [], none: [] };
    for (let i = 0; i < FAILOVER_RUNS; i++) {
      losses.none.push(await lostInFailover(0, fault));
      losses.wait.push(await lostInFailover(1, fault));
    }
    const failover = median([...losses.none, ...losses.wait].map((r) => r.failoverMs)) / 1000;
    rows.push({
      metric: `done markers acknowledged, then lost: a master SIGKILLed under load, ${how} (${FAILOVER_RUNS} kills, failover ${failover.toFixed(1)} s): waitForReplicas 1`,
      ours: `${sum(losses.wait, "lost")} of ${sum(losses.wait, "acknowledged").toLocaleString("en-US")}`,
      baseline: `no wait: ${sum(losses.none, "lost")} of ${sum(losses.none, "acknowledged").toLocaleString("en-US")}`,
      ratio: sum(losses.wait, "lost") / Math.max(1, sum(losses.none, "lost")),
      better: "lower",
    });

    const runs: Record<"wait" | "none", Array<Awaited<ReturnType<typeof endToEnd>>>> = { wait: [], none: [] };
    for (let i = 0; i < E2E_RUNS; i++) {
      runs.none.push(await endToEnd(0, fault, 100 + i));
      runs.wait.push(await endToEnd(1, fault, 100 + i));
    }
    const e2e = (list: typeof runs.wait) =>
      `${sum(list, "lost")} lost, ${sum(list, "twice")} twice, ${sum(list, "overlaps")} overlaps of ${sum(list, "events")}`;
    rows.push({
      metric: `end to end, ${E2E_CALLS} calls on 3 receivers, a master SIGKILLed at 35%, ${how} (${E2E_RUNS} runs): events handled twice, waitForReplicas 1`,
      ours: e2e(runs.wait),
      baseline: `no wait: ${e2e(runs.none)}`,
      ratio: sum(runs.wait, "twice") / Math.max(1, sum(runs.none, "twice")),
      better: "lower",
    });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  printTable("redisStore on a Redis Cluster, and a failover", await run());
}
