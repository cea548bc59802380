// Fragment: a module for Cloudflare Workers, Deno or Bun (`export default app`); Hono, like them, hands
// you a Fetch `Request`.
import { Webhooks } from "@telnyx-voice/webhooks";
import { Hono } from "hono";

const handle = new Webhooks()
  .router()
  .on("call.answered", (event) => console.log(event.data.payload.call_control_id))
  .fetchHandler();

const app = new Hono();
app.post("/webhooks", (c) => handle(c.req.raw));
export default app;
