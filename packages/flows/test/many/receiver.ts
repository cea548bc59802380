// One instance of a flows app, as its own process, for the many-instance tests: CallFlows over redisStore, an
// IVR flow (answer, gather, speak what was pressed, hang up; or with FLOW=silent, answer and wait for a key
// that never comes), and a log of what it did, appended synchronously so a SIGKILL loses no line written.
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Telnyx } from "@telnyx-voice/client";
import { redisStore } from "@telnyx-voice/redis";
import { Webhooks } from "@telnyx-voice/webhooks";
import { CallFlows } from "../../src/index.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`receiver: ${name} is not set`);
  return value;
};
const instance = `inst-${env("INSTANCE")}`;
const write = (record: Record<string, unknown>) =>
  appendFileSync(env("LOG_FILE"), `${JSON.stringify({ ...record, inst: instance, at: Date.now() })}\n`);

const telnyx = new Telnyx({ apiKey: env("TELNYX_API_KEY"), baseURL: env("TELNYX_BASE_URL"), maxRetries: 5 });
const webhooks = new Webhooks({ publicKey: env("PUBLIC_KEY") });
const flows = new CallFlows({
  telnyx,
  webhooks,
  store: redisStore({
    // A Redis Cluster (a node's URL) when REDIS_CLUSTER_URL is set, else one Redis.
    ...(process.env.REDIS_CLUSTER_URL
      ? { cluster: { rootNodes: [{ url: process.env.REDIS_CLUSTER_URL }] } }
      : { url: env("REDIS_URL") }),
    keyPrefix: env("KEY_PREFIX"),
    commandTimeoutMs: Number(process.env.COMMAND_TIMEOUT_MS ?? 2000),
    onError: (error) => write({ t: "redis", message: error.message }),
  }),
  instanceId: instance,
  leaseMs: Number(env("LEASE_MS")),
  reorderWindowMs: Number(env("REORDER_WINDOW_MS")),
  timeoutMs: 30_000,
  onEvent: (event) => {
    const call = (event.data.payload as { call_control_id?: string }).call_control_id;
    write({ t: "event", id: event.data.id, type: event.data.event_type, call });
  },
  onError: (error) => write({ t: "error", message: error instanceof Error ? error.message : String(error) }),
});

flows.incoming(async (call) => {
  write({ t: "start", call: call.id });
  await call.answer();
  if (env("FLOW") === "digits") {
    // Three keys, each taken by a waitFor; every copy the flow sees of a key is logged.
    call.on("call.dtmf.received", (_payload, event) => write({ t: "dtmf", call: call.id, id: event.data.id }));
    write({ t: "gathered", call: call.id });
    let digits = "";
    for (let i = 0; i < 3; i++) digits += (await call.waitFor("call.dtmf.received", { timeoutMs: 60_000 })).digit;
    await call.hangup();
    write({ t: "done", call: call.id, digits });
    return;
  }
  if (env("FLOW") === "silent") {
    // A call that sends nothing more: only a sweep can find it if this instance dies.
    write({ t: "gathered", call: call.id });
    await call.waitFor("call.dtmf.received", { timeoutMs: 60_000 });
    await call.hangup();
    write({ t: "done", call: call.id });
    return;
  }
  const gather = await call.gatherUsingSpeak({ payload: "Your code?", voice: "female", maximum_digits: 2 });
  write({ t: "gathered", call: call.id, digits: gather.digits });
  await call.speak({ payload: `You pressed ${gather.digits}`, voice: "female" });
  await call.hangup();
  write({ t: "done", call: call.id, digits: gather.digits });
});

const server = createServer(flows.nodeHandler());
server.keepAliveTimeout = 5000;
server.listen(0, "127.0.0.1", () => process.send?.({ t: "listening", port: (server.address() as AddressInfo).port }));
// A deploy: drain (no new call here; this instance's calls run to their end), then stop.
process.on("SIGTERM", async () => {
  write({ t: "draining" });
  const result = await flows.drain({ timeoutMs: 30_000 });
  write({ t: "drained", ...result });
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
