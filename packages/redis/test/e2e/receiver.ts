// One instance of a Call Control app, run as its own process by the end-to-end suite: a webhook receiver
// whose router (redisStore or memoryStore) drives each call (answered -> speak, speak ended -> hang up) and
// writes what it does to a log file with synchronous appends, so a SIGKILL loses no line already written.
//   arrive: the verified event reached the router   joined: it is pending in its call (ordering)
//   start/end: the app's handler ran   done: marked done
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Telnyx } from "@telnyx-voice/client";
import { memoryStore, type WebhookStore, Webhooks } from "@telnyx-voice/webhooks";
import { redisStore } from "../../src/index.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`receiver: ${name} is not set`);
  return value;
};

const instance = Number(env("INSTANCE"));
const log = env("LOG_FILE");
const now = () => performance.timeOrigin + performance.now();
const report = (error: unknown) => {
  if (process.env.QUIET) return;
  // One line per report: a failover reports every store operation it failed.
  console.error(`[receiver ${instance}] ${error instanceof Error ? error.message : String(error)}`);
};
const write = (record: Record<string, unknown>) =>
  appendFileSync(log, `${JSON.stringify({ ...record, inst: instance })}\n`);

// On one Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_URL, a node of it), waiting for WAIT_FOR_REPLICAS.
const clusterUrl = process.env.REDIS_CLUSTER_URL;
const inner: WebhookStore =
  env("STORE") === "redis"
    ? redisStore({
        ...(clusterUrl ? { cluster: { rootNodes: [{ url: clusterUrl }] } } : { url: env("REDIS_URL") }),
        keyPrefix: env("KEY_PREFIX"),
        waitForReplicas: Number(process.env.WAIT_FOR_REPLICAS ?? 0),
        onError: report,
      })
    : memoryStore();
// The app cannot see when the router marks an event done; the log needs it to tell a crash between the handler
// and that mark (the event is then handled again: at-least-once for that one store round trip) from a violation.
const store: WebhookStore = {
  ...inner,
  claimEvent: inner.claimEvent.bind(inner),
  releaseEvent: inner.releaseEvent.bind(inner),
  renew: inner.renew.bind(inner),
  enterCall: inner.enterCall.bind(inner),
  leaveCall: inner.leaveCall.bind(inner),
  async joinCall(turn, leaseMs, ttlMs) {
    await inner.joinCall(turn, leaseMs, ttlMs);
    write({ t: "joined", id: turn.eventId, at: now() });
  },
  reserve: inner.reserve.bind(inner),
  async completeEvent(eventId, owner, doneTtlMs) {
    const held = await inner.completeEvent(eventId, owner, doneTtlMs);
    write({ t: "done", id: eventId, at: now() });
    return held;
  },
};
// A store with the combined operations joins as it claims, and marks done as it leaves: logged the same way.
if (inner.claimAndJoin && inner.completeAndLeave && inner.releaseAndLeave && inner.renewHeld) {
  const { claimAndJoin, completeAndLeave } = inner;
  store.claimAndJoin = async (turn, leaseMs, ttlMs, enter) => {
    const result = await claimAndJoin.call(inner, turn, leaseMs, ttlMs, enter);
    if (result.claim === "claimed") write({ t: "joined", id: turn.eventId, at: now() });
    return result;
  };
  store.completeAndLeave = async (turn, doneTtlMs, ttlMs) => {
    const held = await completeAndLeave.call(inner, turn, doneTtlMs, ttlMs);
    write({ t: "done", id: turn.eventId, at: now() });
    return held;
  };
  store.releaseAndLeave = inner.releaseAndLeave.bind(inner);
  store.renewHeld = inner.renewHeld.bind(inner);
}
if (inner.onChange) store.onChange = inner.onChange.bind(inner);

const telnyx = new Telnyx({ apiKey: env("TELNYX_API_KEY"), baseURL: env("TELNYX_BASE_URL"), maxRetries: 5 });
const webhooks = new Webhooks({
  publicKey: env("PUBLIC_KEY"),
  onError: report,
});

const router = webhooks
  .router({
    store,
    reorderWindowMs: Number(env("REORDER_WINDOW_MS")),
    leaseMs: Number(env("LEASE_MS")),
    maxWaitMs: Number(env("MAX_WAIT_MS")),
  })
  .otherwise(async (event, info) => {
    const id = event.data.id;
    // The router serialises a call's events by its leg (info.callKey), one to one with the call_control_id that
    // commands and the analysis use.
    const control = (event.data.payload as { call_control_id?: string }).call_control_id;
    const call = info.callKey === undefined ? undefined : control;
    const occ = event.data.occurred_at;
    write({ t: "start", id, call, occ, type: event.data.event_type, late: info.late, at: now() });
    // A little work, as an app does (a lookup, a write).
    await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 8));
    // The commands carry a command_id made from the event, so a retried command runs once at Telnyx.
    if (control && event.data.event_type === "call.answered") {
      await telnyx.calls.actions.speak(control, { payload: "Hello", voice: "female", command_id: `${id}:speak` });
    } else if (control && event.data.event_type === "call.speak.ended") {
      await telnyx.calls.actions.hangup(control, { command_id: `${id}:hangup` });
    }
    write({ t: "end", id, call, occ, at: now() });
    process.send?.({ t: "end" });
  });

const handle = router.handle;
const server = createServer(
  webhooks.nodeHandler(async (event) => {
    write({ t: "arrive", id: event.data.id, occ: event.data.occurred_at, at: now() });
    await handle(event);
  }),
);
server.keepAliveTimeout = 5000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ t: "listening", port: (server.address() as AddressInfo).port });
});

process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close();
  void ("close" in inner && typeof inner.close === "function" ? (inner.close as () => Promise<void>)() : undefined);
  setTimeout(() => process.exit(0), 100).unref();
});
