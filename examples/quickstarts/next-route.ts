// Fragment: app/api/webhooks/route.ts in a Next.js app.
import { Webhooks } from "@telnyx-voice/webhooks";

const webhooks = new Webhooks();

export const POST = webhooks.fetchHandler(async (event) => {
  if (event.data.event_type === "call.answered") console.log("answered:", event.data.payload.call_control_id);
});
