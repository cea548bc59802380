// `pnpm demo -- --voice-bot`: the voice bot pattern (../patterns/voice-bot.ts) against the simulator, whose far
// end talks and listens over the media stream. The caller hears the greeting (a 440 Hz tone standing in for
// speech), talks over it (660 Hz), the bot stops and says back what it heard, the caller presses # and the bot
// hangs up. Prints the timeline; exits 0 when all of that happened, 1 with the reason when not.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Telnyx } from "@telnyx-voice/client";
import { CallFlows } from "@telnyx-voice/flows";
import { MediaStreams } from "@telnyx-voice/media";
import { type SimCall, startSimulator } from "@telnyx-voice/simulator";
import { Webhooks } from "@telnyx-voice/webhooks";
import { voiceBot } from "../patterns/voice-bot.ts";
import { commandSent, eventReceived, nameCall, note, stats } from "./timeline.ts";

const API_KEY = "KEY_demo";
const STREAM_TOKEN = "demo-stream-token"; // against Telnyx: a secret of yours, e.g. process.env.TELNYX_STREAM_AUTH_TOKEN
const OUR_NUMBER = "+13125550100";
const CUSTOMER = "+13125550142";
const RATE = 8000;

const tone = (hz: number, ms: number) =>
  Int16Array.from({ length: (RATE * ms) / 1000 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / RATE)));

/** Milliseconds of what the caller heard near `hz`, from the zero crossings of each 20 ms. */
function heardMs(call: SimCall, hz: number): number {
  const pcm = call.receivedAudio().pcm;
  let ms = 0;
  for (let at = 0; at + 160 <= pcm.length; at += 160) {
    let crossings = 0;
    for (let i = at + 1; i < at + 160; i++) if ((pcm[i - 1] as number) < 0 !== (pcm[i] as number) < 0) crossings++;
    if (Math.abs(crossings * 25 - hz) < 60) ms += 20;
  }
  return ms;
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function voiceBotDemo(): Promise<number> {
  const sim = await startSimulator({ apiKey: API_KEY, answerDelayMs: 150 });
  note(`simulator at ${sim.url}; the app: a voice bot over a media stream`);
  const errors: unknown[] = [];
  const telnyx = new Telnyx({
    apiKey: API_KEY,
    baseURL: sim.url,
    fetch: (url, init) => {
      commandSent(init.method ?? "GET", url, init.body);
      return fetch(url, init);
    },
  });
  const media = new MediaStreams({ authToken: STREAM_TOKEN, onError: (error) => errors.push(error) });
  const flows = new CallFlows({
    telnyx,
    webhooks: new Webhooks({ publicKey: sim.publicKey }),
    media,
    onError: (error) => errors.push(error),
    onEvent: (event) => {
      const p = event.data.payload as { call_control_id?: string; digit?: string };
      if (event.data.event_type === "call.initiated" && p.call_control_id) nameCall(p.call_control_id, "caller");
      eventReceived(event.data.event_type, p.call_control_id, p.digit ? `digit=${p.digit}` : "");
    },
  });
  // One node:http server for both: webhooks on POST, the media WebSocket on upgrade.
  const server = createServer(flows.nodeHandler()).on("upgrade", media.nodeUpgrade());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const app = sim.applications.create({
      application_name: "voice-bot",
      webhook_event_url: `http://${base}/webhooks`,
    });
    voiceBot(flows, { streamUrl: `ws://${base}/media`, streamAuthToken: STREAM_TOKEN, greeting: tone(440, 1500) });

    note(`a caller (${CUSTOMER}) calls ${OUR_NUMBER}`);
    const caller = sim.inboundCall({ from: CUSTOMER, to: OUR_NUMBER, connectionId: app.id ?? "" });
    await until(() => heardMs(caller, 440) >= 400, "the greeting");
    note("the caller has heard 400 ms of the 1500 ms greeting, and talks over it for 500 ms");
    caller.sendAudio(tone(660, 500), { sampleRate: RATE });
    await until(() => heardMs(caller, 660) >= 480, "the bot to say it back");
    const greeting = heardMs(caller, 440);
    note(`the bot stopped after ${greeting} ms of its greeting (clear), and said back ${heardMs(caller, 660)} ms`);
    caller.pressDigits("#");
    await until(() => caller.state === "ended", "the bot to hang up");
    note("the caller pressed #: the bot hung up");
    await sim.idle();
    if (greeting >= 1500) throw new Error("the caller heard the whole greeting: barge-in did not cut it");
    if (errors.length > 0) throw errors[0];
    console.log(
      `\nVoice bot completed: ${stats.commands} commands sent, ${stats.events} verified webhooks received, ` +
        `${caller.receivedAudio().ms} ms of audio heard by the caller.`,
    );
    return 0;
  } catch (error) {
    console.error(`\nDemo FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await flows.close();
    media.close();
    await sim.stop();
    server.closeAllConnections();
    server.close();
  }
}
