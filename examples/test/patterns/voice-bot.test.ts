// The voice bot against the simulator, whose far end talks and listens over the media stream: the caller talks
// over the greeting, the bot stops (clear) and, once the caller pauses, says back what it heard; # hangs up.
// What the caller heard is read back from the simulator as PCM and told apart by pitch (greeting 440 Hz, the
// caller's words 660 Hz).
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { MediaStreams } from "@telnyx-voice/media";
import { afterEach, expect, test } from "vitest";
import { voiceBot } from "../../patterns/voice-bot.ts";
import { CALLER, type Harness, harness, OUR_NUMBER, until } from "./harness.ts";

const TOKEN = "stream-token-for-tests";
const RATE = 8000;

let h: Harness | undefined;
let close: (() => void) | undefined;
afterEach(async () => {
  await h?.close();
  close?.();
  h = undefined;
});

function tone(hz: number, ms: number): Int16Array {
  return Int16Array.from({ length: (RATE * ms) / 1000 }, (_, i) =>
    Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / RATE)),
  );
}

/** The pitch of each 20 ms of `pcm`, from its zero crossings (a pure tone crosses zero twice a period). */
function pitches(pcm: Int16Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + 160 <= pcm.length; at += 160) {
    let crossings = 0;
    for (let i = at + 1; i < at + 160; i++) if ((pcm[i - 1] as number) < 0 !== (pcm[i] as number) < 0) crossings++;
    out.push(crossings * 25);
  }
  return out;
}

test("greets, is cut off by the caller, says back what the caller said, hangs up on #", async () => {
  const media = new MediaStreams({ authToken: TOKEN });
  h = await harness({ flows: { media } });
  const server = createServer().on("upgrade", media.nodeUpgrade()).listen(0, "127.0.0.1");
  await once(server, "listening");
  close = () => {
    media.close();
    server.close();
  };
  const streamUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/media`;
  const greeting = tone(440, 1500);
  voiceBot(h.flows, { streamUrl, streamAuthToken: TOKEN, greeting });

  const caller = h.sim.inboundCall({ from: CALLER, to: OUR_NUMBER, connectionId: h.connectionId });
  await until(() => caller.receivedAudio().ms >= 300, "the greeting to be heard");
  // The caller talks over the greeting.
  caller.sendAudio(tone(660, 400), { sampleRate: RATE });
  await until(() => pitches(caller.receivedAudio().pcm).filter((p) => p > 600).length >= 19, "the bot to say it back");
  caller.pressDigits("#");
  await until(() => caller.state === "ended", "the bot to hang up");

  const heard = pitches(caller.receivedAudio().pcm);
  const greetingMs = heard.filter((p) => p > 380 && p < 500).length * 20;
  const echoMs = heard.filter((p) => p > 600 && p < 720).length * 20;
  // Barge-in cut the greeting well short of its 1500 ms; the echo is the caller's 400 ms, after it.
  expect(greetingMs).toBeGreaterThanOrEqual(280);
  expect(greetingMs).toBeLessThan(1000);
  expect(echoMs).toBeGreaterThanOrEqual(340);
  expect(echoMs).toBeLessThanOrEqual(440);
  const lastGreeting = heard.map((p) => p > 380 && p < 500).lastIndexOf(true);
  const firstEcho = heard.findIndex((p) => p > 600 && p < 720);
  expect(firstEcho).toBeGreaterThan(lastGreeting);
  expect(caller.hangupCause).toBe("normal_clearing");
  expect(caller.eventTypes).toContain("streaming.started");
  expect(h.errors).toEqual([]);
});
