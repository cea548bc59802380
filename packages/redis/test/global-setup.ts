// Starts the redis-server and the Redis Cluster the tests share (or takes REDIS_URL and REDIS_CLUSTER_URL) and
// hands their URLs to them: inject("redisUrl"), inject("redisClusterUrl") (a node of the cluster).
import type { TestProject } from "vitest/node";
import { startRedisCluster } from "../../../scripts/redis-cluster.js";
import { startRedisServer } from "../../../scripts/redis-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    redisClusterUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
  process.stderr.write(`[redis tests] ${server.url} (${server.source}); cluster ${cluster.url} (${cluster.source})\n`);
  project.provide("redisUrl", server.url);
  project.provide("redisClusterUrl", cluster.url);
  return async () => {
    await Promise.all([server.stop(), cluster.stop()]);
  };
}
