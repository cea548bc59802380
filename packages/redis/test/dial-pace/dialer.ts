// One instance of an outbound dialer, run as its own process by dial-pace.test.ts: dials COUNT calls, ten at a
// time, through a client whose dialRate keeps its slots in redisStore (shared by every instance) unless
// PER_SECOND is 0, and reports how many were placed and how many were refused (429 / 90103) over IPC.
import { APIError, Telnyx } from "@telnyx-voice/client";
import { redisStore } from "../../src/index.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`dialer: ${name} is not set`);
  return value;
};

const count = Number(env("COUNT"));
const perSecond = Number(env("PER_SECOND"));
const instance = Number(env("INSTANCE"));
const store = redisStore({ url: env("REDIS_URL"), keyPrefix: env("KEY_PREFIX") });
// maxRetries 0: a refused dial shows as an error here instead of being retried away.
const telnyx = new Telnyx({
  apiKey: "KEY_SIMULATOR",
  baseURL: env("TELNYX_BASE_URL"),
  maxRetries: 0,
  dialRate: perSecond > 0 ? { perSecond, store } : undefined,
});

let next = 0;
let placed = 0;
let refused = 0;
const failures: string[] = [];
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (next < count) {
      const n = next++;
      try {
        await telnyx.calls.dial({
          connection_id: "dialer",
          from: "+13125550001",
          to: `+131255${String(instance)}${String(1000 + n).padStart(4, "0")}`,
          webhook_url: "http://127.0.0.1:9/webhooks",
        });
        placed++;
      } catch (error) {
        if (error instanceof APIError && error.status === 429) refused++;
        else failures.push(String(error));
      }
    }
  }),
);
await store.close();
process.send?.({ placed, refused, failures });
process.disconnect?.();
