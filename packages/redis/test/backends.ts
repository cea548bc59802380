// The two Redis deployments every store test runs on: one redis-server, and a Redis Cluster of 3 masters with a
// replica each (both started by global-setup.ts). Each gives the store's options and an admin connection that
// lists keys with their TTLs (on a cluster, from every master) and names a key's slot.
import { createClient, createCluster } from "@redis/client";
import { inject } from "vitest";
import type { RedisStoreOptions } from "../src/index.js";

export interface Admin {
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Every key under `prefix`, with its PTTL. */
  keys(prefix: string): Promise<Map<string, number>>;
  /** The cluster slot of `key` (0 on one Redis). */
  slot(key: string): Promise<number>;
}

export interface Backend {
  name: string;
  cluster: boolean;
  /** What redisStore is given to reach it. */
  target: () => Pick<RedisStoreOptions, "url" | "cluster">;
  admin: () => Admin;
}

function single(url: string): Backend {
  return {
    name: "one Redis",
    cluster: false,
    target: () => ({ url }),
    admin: () => {
      const client = createClient({ url });
      return {
        connect: async () => void (await client.connect()),
        close: () => client.close(),
        async keys(prefix) {
          const keys = new Map<string, number>();
          for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
            for (const key of batch) keys.set(String(key), await client.pTTL(key));
          }
          return keys;
        },
        slot: async () => 0,
      };
    },
  };
}

function cluster(url: string): Backend {
  return {
    name: "a Redis Cluster",
    cluster: true,
    target: () => ({ cluster: { rootNodes: [{ url }] } }),
    admin: () => {
      const client = createCluster({ rootNodes: [{ url }] });
      return {
        connect: async () => void (await client.connect()),
        close: () => client.close(),
        async keys(prefix) {
          const keys = new Map<string, number>();
          for (const master of client.masters) {
            const node = await client.nodeClient(master);
            for await (const batch of node.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
              for (const key of batch) keys.set(String(key), await node.pTTL(key));
            }
          }
          return keys;
        },
        async slot(key) {
          const node = await client.nodeClient(client.masters[0]!);
          return Number(await node.sendCommand(["CLUSTER", "KEYSLOT", key]));
        },
      };
    },
  };
}

export const backends = (): Backend[] => [single(inject("redisUrl")), cluster(inject("redisClusterUrl"))];
