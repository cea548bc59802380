// A webhook receiver process for bench/router.ts and bench/stall.ts: verify-only, or the router on redisStore (one
// Redis, REDIS_URL, or a Redis Cluster, REDIS_CLUSTER_URL: a node of it) or memoryStore, with an empty handler,
// so the figures are what the router adds. MODE "separate": redisStore on one Redis given to the router without
// its combined operations and onChange, so that the router claims, joins, enters, completes and leaves one step
// at a time and polls while it waits (as it did before it had them). Prints nothing; says its port over IPC.
// With LOG_FILE, the handler appends each event id it runs (synchronously: a kill loses no line).
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { redisStore } from "@telnyx-voice/redis";
import { memoryStore, type WebhookStore, Webhooks } from "@telnyx-voice/webhooks";

const mode = process.env.MODE as "verify" | "redis" | "separate" | "cluster" | "memory";
const webhooks = new Webhooks({ publicKey: process.env.PUBLIC_KEY, onError: (e) => console.error(e) });
const target =
  mode === "cluster"
    ? { cluster: { rootNodes: [{ url: process.env.REDIS_CLUSTER_URL as string }] } }
    : { url: process.env.REDIS_URL };
const onRedis =
  mode === "verify" || mode === "memory"
    ? undefined
    : redisStore({ ...target, keyPrefix: process.env.KEY_PREFIX, onError: () => {} });
const separate = (s: WebhookStore): WebhookStore => ({
  claimEvent: s.claimEvent.bind(s),
  completeEvent: s.completeEvent.bind(s),
  releaseEvent: s.releaseEvent.bind(s),
  renew: s.renew.bind(s),
  joinCall: s.joinCall.bind(s),
  enterCall: s.enterCall.bind(s),
  leaveCall: s.leaveCall.bind(s),
  reserve: s.reserve.bind(s),
});
const store = onRedis === undefined ? memoryStore() : mode === "separate" ? separate(onRedis) : onRedis;
const log = process.env.LOG_FILE;
const handler =
  mode === "verify"
    ? webhooks.nodeHandler(() => {})
    : webhooks
        .router({ store })
        .otherwise((event) => {
          if (log) appendFileSync(log, `${event.data.id}\n`);
        })
        .nodeHandler();
const server = createServer(handler);
// Longer than any pause between a setup's runs (the other setups run in between): the proxy keeps its sockets
// to the receivers open, and one the receiver closed just as the proxy reused it is answered 502.
server.keepAliveTimeout = 120_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
