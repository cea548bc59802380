// One instance of a pattern app, as its own process, for the many-instance tests: CallFlows over redisStore
// running the pattern named by PATTERN, and a log of what it did, appended synchronously so that a SIGKILL
// loses no line already written.
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Telnyx } from "@telnyx-voice/client";
import { CallFlows } from "@telnyx-voice/flows";
import { redisStore } from "@telnyx-voice/redis";
import { Webhooks } from "@telnyx-voice/webhooks";
import { createClient } from "@redis/client";
import { campaign } from "../../patterns/campaign.ts";
import { voicemail } from "../../patterns/voicemail.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`instance: ${name} is not set`);
  return value;
};
const instance = `inst-${env("INSTANCE")}`;
export const write = (record: Record<string, unknown>) =>
  appendFileSync(env("LOG_FILE"), `${JSON.stringify({ ...record, inst: instance, at: Date.now() })}\n`);

const store = redisStore({ url: env("REDIS_URL"), keyPrefix: env("KEY_PREFIX") });
const telnyx = new Telnyx({
  apiKey: env("TELNYX_API_KEY"),
  baseURL: env("TELNYX_BASE_URL"),
  maxRetries: 5,
  // Every instance's dials together keep to this pace (a slot each, through the shared store).
  dialRate: { perSecond: Number(process.env.DIALS_PER_SECOND ?? 10), store },
});
const flows = new CallFlows({
  telnyx,
  webhooks: new Webhooks({ publicKey: env("PUBLIC_KEY") }),
  store,
  instanceId: instance,
  leaseMs: Number(env("LEASE_MS")),
  reorderWindowMs: 50,
  timeoutMs: 30_000,
  onEvent: (event) => {
    const payload = event.data.payload as { call_control_id?: string; call_leg_id?: string };
    write({ t: "event", type: event.data.event_type, call: payload.call_control_id, leg: payload.call_leg_id });
  },
  onError: (error) => write({ t: "error", message: error instanceof Error ? error.message : String(error) }),
});

const pattern = env("PATTERN");
if (pattern === "voicemail") {
  voicemail(flows, ({ from, recording }) => write({ t: "saved", from, leg: recording.call_leg_id }));
} else if (pattern === "campaign") {
  // The list is one Redis list shared by the instances: LPOP hands each number to exactly one of them.
  const redis = createClient({ url: env("REDIS_URL") });
  await redis.connect();
  const list = `${env("KEY_PREFIX")}campaign`;
  process.on("message", (message: { t?: string; connectionId?: string }) => {
    if (message.t !== "start" || message.connectionId === undefined) return;
    campaign({
      flows,
      connectionId: message.connectionId,
      from: "+13125550100",
      next: async () => (await redis.lPop(list)) ?? undefined,
      record: (to, outcome) =>
        write(
          outcome instanceof Error
            ? { t: "error", to, message: outcome.message }
            : { t: "result", to, result: outcome },
        ),
    }).then(
      () => write({ t: "finished" }),
      (error: unknown) => write({ t: "error", message: String(error) }),
    );
  });
} else {
  throw new Error(`instance: unknown PATTERN ${pattern}`);
}

const server = createServer(flows.nodeHandler());
server.keepAliveTimeout = 5000;
server.listen(0, "127.0.0.1", () => process.send?.({ t: "listening", port: (server.address() as AddressInfo).port }));
// A deploy: drain (no new call here; this instance's calls run to their end), then stop.
process.on("SIGTERM", async () => {
  await flows.drain({ timeoutMs: 30_000 });
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
