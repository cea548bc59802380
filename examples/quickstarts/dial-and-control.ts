// Fragment: the commands after `dial` need the call answered, which your webhook handler learns from
// `call.answered` (see "Receive webhooks"); sent at once, they get 422 "Call not answered yet".
import { Telnyx } from "@telnyx-voice/client";

const telnyx = new Telnyx(); // apiKey from TELNYX_API_KEY
const res = await telnyx.calls.dial({ connection_id: "1494404757140276705", from: "+13125550001", to: "+13125550002" });
const id = res.data.call_control_id;

// Later, usually from your webhook handler:
await telnyx.calls.actions.speak(id, { payload: "Hello from telnyx-voice", voice: "female", language: "en-US" });
await telnyx.calls.actions.gatherUsingSpeak(id, {
  payload: "Press 1 for sales",
  voice: "female",
  valid_digits: "12",
  maximum_digits: 1,
});
await telnyx.calls.actions.transfer(id, { to: "+13125550003" });
await telnyx.calls.actions.hangup(id);
