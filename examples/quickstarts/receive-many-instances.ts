// Several instances behind a load balancer share one Redis: each webhook is handled once, a call's webhooks
// one at a time and in occurred_at order, whichever instance they reach. Run it once per instance (its own PORT).
import { createServer } from "node:http";
import { redisStore } from "@telnyx-voice/redis";
import { Webhooks } from "@telnyx-voice/webhooks";

const store = redisStore({ url: process.env.REDIS_URL }); // e.g. redis://localhost:6379
const router = new Webhooks()
  .router({ store, reorderWindowMs: 100 })
  .on("call.answered", (event) => console.log("answered:", event.data.payload.call_control_id))
  .on("call.hangup", (event, info) =>
    console.log(`hung up${info.late ? " (late)" : ""}:`, event.data.payload.hangup_cause),
  );

const server = createServer(router.nodeHandler()).listen(Number(process.env.PORT ?? 3000));

// A deploy stops instances with SIGTERM: claim nothing new (503: Telnyx delivers it to another instance), finish
// what this one holds, then stop.
process.once("SIGTERM", async () => {
  await router.drain({ timeoutMs: 30_000 });
  server.close();
  await store.close();
});
