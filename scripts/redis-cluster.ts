// A real Redis Cluster for the tests and the bench: `REDIS_CLUSTER_URL` when set (a node of a cluster that runs
// already), else 3 masters with a replica each, all Debian's redis-server (installed as scripts/redis-server.ts
// does), each on its own loopback port with its own directory in the temp folder, joined by
// `redis-cli --cluster create --cluster-replicas 1`. Nothing is persisted. `cluster-node-timeout` is short (1 s
// by default), so that a killed master's replica takes over within about 2 s, as the failover tests need.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureRedisServer, freePort, stopper, waitForReady } from "./redis-server.js";

export interface RedisClusterNode {
  port: number;
  /** `redis://127.0.0.1:PORT` */
  url: string;
  /** The redis-server process: to stall it (SIGSTOP) or kill it (SIGKILL). A restart replaces it. */
  process: ChildProcess;
}

export interface ClusterTopologyEntry {
  port: number;
  role: "master" | "replica";
  /** For a replica, its master's port. */
  masterPort: number | undefined;
  /** The node is flagged failed (or unreachable) by the node asked. */
  failed: boolean;
  /** Slot ranges a master serves, inclusive. */
  slots: Array<[number, number]>;
}

export interface RedisCluster {
  /** A node's URL, to give node-redis's `createCluster({ rootNodes: [{ url }] })`. */
  url: string;
  /** Every node's URL. */
  urls: string[];
  /** What provided it: "REDIS_CLUSTER_URL" or the redis-server binary's version line. */
  source: string;
  /** The nodes started here (empty for `REDIS_CLUSTER_URL`). */
  nodes: RedisClusterNode[];
  /** Masters and replicas as a live node sees them now (CLUSTER NODES). */
  topology(): Promise<ClusterTopologyEntry[]>;
  /** The node started here that serves `key`'s slot as master now. */
  masterFor(key: string): Promise<RedisClusterNode>;
  /**
   * SIGKILLs `node` (a master), runs `afterKill` (a test wakes a stopped replica there), and waits, at most
   * `waitMs` (default 15 s), until its replica serves its slots and every live node says the cluster is ok.
   * Resolves with the replica that took over and how long it took.
   */
  killMaster(
    node: RedisClusterNode,
    options?: { waitMs?: number; afterKill?: () => void },
  ): Promise<{ promoted: RedisClusterNode; failoverMs: number }>;
  /** The node started here that replicates `master`. */
  replicaOf(master: RedisClusterNode): Promise<RedisClusterNode>;
  /**
   * Starts a killed node again on its port and directory (as an orchestrator replaces a dead pod): it rejoins
   * as a replica of the master that took its slots, empty, and syncs. Resolves, within `waitMs`, once it is in
   * sync and every live node says the cluster is ok.
   */
  restart(node: RedisClusterNode, waitMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Runs redis-cli against a node; rejects (with what it printed) on failure or after `timeoutMs`. */
export function redisCli(port: number, args: string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "redis-cli",
      ["-h", "127.0.0.1", "-p", String(port), ...args],
      { timeout: timeoutMs },
      (error, out, err) => {
        if (error) reject(new Error(`redis-cli -p ${port} ${args.join(" ")} failed: ${error.message} ${err}`.trim()));
        else resolve(out);
      },
    );
  });
}

function parseNodes(text: string, portOf: Map<string, number>): ClusterTopologyEntry[] {
  const lines = text.split("\n").filter((l) => l.trim());
  const ids = new Map<string, number>();
  for (const line of lines) {
    const [id, address] = line.split(" ");
    const port = Number(address?.split("@")[0]?.split(":")[1]);
    if (id) ids.set(id, port);
    portOf.set(id ?? "", port);
  }
  return lines.map((line) => {
    const [, address, flags = "", masterId, , , , , ...slots] = line.split(" ");
    const port = Number(address?.split("@")[0]?.split(":")[1]);
    const set = flags.split(",");
    return {
      port,
      role: set.includes("master") ? "master" : "replica",
      masterPort: masterId && masterId !== "-" ? ids.get(masterId) : undefined,
      failed: set.includes("fail") || set.includes("fail?") || set.includes("noaddr"),
      slots: slots
        .filter((s) => !s.startsWith("["))
        .map((s) => {
          const [from, to] = s.split("-").map(Number);
          return [from ?? 0, to ?? from ?? 0] as [number, number];
        }),
    };
  });
}

async function until(condition: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`redis cluster: ${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const alive = (node: RedisClusterNode) => node.process.exitCode === null && node.process.signalCode === null;

/**
 * `REDIS_CLUSTER_URL`, or a fresh cluster of `masters` masters with one replica each. `fresh: true` always starts
 * one here, for tests that kill a master.
 */
export async function startRedisCluster(
  options: { fresh?: boolean; masters?: number; nodeTimeoutMs?: number } = {},
): Promise<RedisCluster> {
  const given = process.env.REDIS_CLUSTER_URL;
  if (given && !options.fresh) {
    const none = async () => {
      throw new Error("redis cluster: REDIS_CLUSTER_URL is a cluster run elsewhere; its nodes are not ours to kill");
    };
    return {
      url: given,
      urls: [given],
      source: "REDIS_CLUSTER_URL",
      nodes: [],
      topology: none,
      masterFor: none,
      killMaster: none,
      replicaOf: none,
      restart: none,
      stop: async () => {},
    };
  }
  const version = await ensureRedisServer();
  const masters = options.masters ?? 3;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const root = mkdtempSync(join(tmpdir(), "telnyx-voice-redis-cluster-"));
  const nodes: RedisClusterNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => stopper(node.process)()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const taken = new Set<number>();
    const portNotTaken = async () => {
      for (;;) {
        const port = await freePort();
        if (taken.has(port)) continue;
        taken.add(port);
        return port;
      }
    };
    const buses = new Map<number, number>();
    const spawnNode = async (port: number, bus: number): Promise<ChildProcess> => {
      const dir = join(root, String(port));
      mkdirSync(dir, { recursive: true });
      const child = spawn(
        "redis-server",
        [
          ...["--port", String(port), "--cluster-port", String(bus), "--bind", "127.0.0.1", "--protected-mode", "yes"],
          ...["--dir", dir, "--save", "", "--appendonly", "no"],
          ...["--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf")],
          ...["--cluster-node-timeout", String(nodeTimeoutMs)],
          // A replica takes over however long it was cut off from its master (a test stalls one, then kills the
          // master): failover over freshness, as a test of what a failover can lose needs.
          ...["--cluster-replica-validity-factor", "0"],
          // A replica's first sync starts at once (Redis waits 5 s by default for more replicas to share it).
          ...["--repl-diskless-sync-delay", "0"],
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      await waitForReady(child, 15_000);
      child.stdout?.resume();
      return child;
    };
    const launch = async (): Promise<RedisClusterNode> => {
      // The bus port is given too: the default (port + 10000) is past 65535 for many ephemeral ports.
      const [port, bus] = [await portNotTaken(), await portNotTaken()];
      const child = await spawnNode(port, bus);
      buses.set(port, bus);
      return { port, url: `redis://127.0.0.1:${port}`, process: child };
    };
    // Started side by side; a port taken between the probe and the bind makes that server exit: try it again.
    const launchWithRetry = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const node = await launch();
          nodes.push(node);
          return;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: masters * 2 }, launchWithRetry));
    await new Promise<void>((resolve, reject) => {
      execFile(
        "redis-cli",
        ["--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", "1", "--cluster-yes"],
        { timeout: 30_000 },
        (error, out, err) =>
          error ? reject(new Error(`redis-cli --cluster create failed: ${out} ${err}`)) : resolve(),
      );
    });
    const topology = async (): Promise<ClusterTopologyEntry[]> => {
      for (const node of nodes.filter(alive)) {
        try {
          return parseNodes(await redisCli(node.port, ["CLUSTER", "NODES"]), new Map());
        } catch {
          // That node is going down: ask the next.
        }
      }
      throw new Error("redis cluster: no node answers CLUSTER NODES");
    };
    const settled = async () => {
      for (const node of nodes.filter(alive)) {
        if (!(await redisCli(node.port, ["CLUSTER", "INFO"])).includes("cluster_state:ok")) return false;
      }
      const view = await topology();
      const live = view.filter((entry) => !entry.failed);
      // Every slot served by a live master that every live node agrees on, and each live replica in sync.
      const covered = live
        .filter((e) => e.role === "master")
        .reduce((n, e) => n + e.slots.reduce((m, [a, b]) => m + b - a + 1, 0), 0);
      if (covered !== 16384) return false;
      for (const entry of live.filter((e) => e.role === "replica")) {
        const info = await redisCli(entry.port, ["INFO", "replication"]);
        if (!info.includes("master_link_status:up")) return false;
      }
      return true;
    };
    await until(settled, "every slot served, every replica in sync", 30_000);
    const byPort = (port: number) => {
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`redis cluster: no node of ours on port ${port}`);
      return node;
    };
    const masterFor = async (key: string) => {
      const slot = Number((await redisCli(nodes.find(alive)!.port, ["CLUSTER", "KEYSLOT", key])).trim());
      const master = (await topology()).find(
        (e) => e.role === "master" && !e.failed && e.slots.some(([a, b]) => slot >= a && slot <= b),
      );
      if (!master) throw new Error(`redis cluster: no live master serves slot ${slot}`);
      return byPort(master.port);
    };
    const replicaOf = async (master: RedisClusterNode) => {
      const replica = (await topology()).find((e) => e.role === "replica" && e.masterPort === master.port);
      if (!replica) throw new Error(`redis cluster: the node on port ${master.port} is not a master with a replica`);
      return byPort(replica.port);
    };
    return {
      url: nodes[0]!.url,
      urls: nodes.map((n) => n.url),
      source: `${masters} masters + ${masters} replicas, ${version}`,
      nodes,
      topology,
      masterFor,
      replicaOf,
      async killMaster(node, { waitMs = 15_000, afterKill } = {}) {
        const replica = await replicaOf(node);
        const began = performance.now();
        node.process.kill("SIGKILL");
        afterKill?.();
        await until(
          async () => (await topology()).some((e) => e.port === replica.port && e.role === "master") && settled(),
          `the failover of the master on port ${node.port} to its replica on port ${replica.port}`,
          waitMs,
        );
        return { promoted: replica, failoverMs: performance.now() - began };
      },
      async restart(node, waitMs = 15_000) {
        if (alive(node)) throw new Error(`redis cluster: the node on port ${node.port} still runs`);
        node.process = await spawnNode(node.port, buses.get(node.port) ?? 0);
        await until(
          async () => (await topology()).some((e) => e.port === node.port && e.role === "replica") && settled(),
          `the node on port ${node.port} back as a replica, in sync`,
          waitMs,
        );
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
