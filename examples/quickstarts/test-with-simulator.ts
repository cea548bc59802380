// Run a whole call flow offline: the simulator answers the API and sends signed webhooks to your receiver.
import { createServer } from "node:http";
import { Telnyx } from "@telnyx-voice/client";
import { startSimulator } from "@telnyx-voice/simulator";
import { Webhooks } from "@telnyx-voice/webhooks";

const sim = await startSimulator({ webhookUrl: "http://127.0.0.1:3000/webhooks", apiKey: "test-key" });
const telnyx = new Telnyx({ apiKey: "test-key", baseURL: sim.url });

const answered = new Promise<string>((resolve) => {
  const router = new Webhooks({ publicKey: sim.publicKey })
    .router()
    .on("call.answered", (event) => resolve(event.data.payload.call_control_id ?? ""));
  createServer(router.nodeHandler()).listen(3000, "127.0.0.1");
});

const { data } = await telnyx.calls.dial({ connection_id: "app-1", from: "+13125550001", to: "+13125550002" });
console.log("answered:", (await answered) === data.call_control_id);
await telnyx.calls.actions.hangup(data.call_control_id);
await sim.stop();
process.exit(0);
