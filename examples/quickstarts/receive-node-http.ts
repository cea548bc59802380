import { createServer } from "node:http";
import { Webhooks } from "@telnyx-voice/webhooks";

const webhooks = new Webhooks(); // publicKey from TELNYX_PUBLIC_KEY (base64, from the portal)
const router = webhooks
  .router()
  .on("call.initiated", (event) => console.log("call from", event.data.payload.from))
  .on("call.hangup", (event) => console.log("hung up:", event.data.payload.hangup_cause));

createServer(router.nodeHandler()).listen(Number(process.env.PORT ?? 3000));
