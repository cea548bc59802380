// Run a whole call flow offline: the simulator answers the API and sends signed webhooks to your receiver.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Telnyx } from "@telnyx-voice/client";
import { startSimulator } from "@telnyx-voice/simulator";
import { Webhooks } from "@telnyx-voice/webhooks";

const sim = await startSimulator({ apiKey: "test-key" });
const telnyx = new Telnyx({ apiKey: "test-key", baseURL: sim.url });

// Your webhook receiver, on a free port; the dial below says where its call's webhooks go.
const receiver = createServer().listen(0, "127.0.0.1");
await once(receiver, "listening");
const webhook_url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
const answered = new Promise<string>((resolve) => {
  const router = new Webhooks({ publicKey: sim.publicKey })
    .router()
    .on("call.answered", (event) => resolve(event.data.payload.call_control_id ?? ""));
  receiver.on("request", router.nodeHandler());
});

const { data } = await telnyx.calls.dial({ connection_id: "app-1", from: "+13125550001", to: "+13125550002", webhook_url });
console.log("answered:", (await answered) === data.call_control_id);
await telnyx.calls.actions.hangup(data.call_control_id);
await sim.stop();
receiver.close();
receiver.closeAllConnections();
