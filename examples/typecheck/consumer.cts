// A CommonJS project (`require` at run time) importing every public entry point and using its types.
import { Telnyx, APIError } from "@telnyx-voice/client";
import { isEventType, Webhooks, WebhookVerificationError } from "@telnyx-voice/webhooks";
import { nobleCrypto } from "@telnyx-voice/webhooks/crypto";
import { generateKeyPair, signPayload } from "@telnyx-voice/webhooks/testing";
import { startSimulator } from "@telnyx-voice/simulator";
import type { CallHangupEvent, DialRequest, SpeakActionBody } from "@telnyx-voice/types";

export async function main(): Promise<string | undefined> {
  const keys = await generateKeyPair();
  const sim = await startSimulator({ apiKey: "test-key" });
  const telnyx = new Telnyx({ apiKey: "test-key", baseURL: sim.url });
  const webhooks = new Webhooks({ publicKey: keys.publicKey, crypto: nobleCrypto });
  const dial: DialRequest = { connection_id: "app-1", from: "+13125550001", to: "+13125550002" };
  const speak: SpeakActionBody = { payload: "hi", voice: "female" };
  try {
    const { data } = await telnyx.calls.dial(dial);
    await telnyx.calls.actions.speak(data.call_control_id, speak);
    const body = "{}";
    const event = await webhooks.unwrap(body, await signPayload(body, keys.privateKey));
    const onHangup = (hangup: CallHangupEvent) => hangup.data.payload?.hangup_cause;
    return isEventType(event, "call.hangup") ? onHangup(event) : undefined;
  } catch (error) {
    if (error instanceof APIError || error instanceof WebhookVerificationError) return error.message;
    throw error;
  } finally {
    await sim.stop();
  }
}
