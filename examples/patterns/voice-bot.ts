// Voice bot: answer, open the call's audio both ways (a media stream in rtp mode), greet, then say back what the
// caller said once they pause. The caller talking over the bot cuts it off (clear: barge-in), and # hangs up.
// Speech is told from silence by loudness, enough for a pattern; a real bot hands the audio to its recognizer
// and plays its text-to-speech where this one echoes.
import type { CallFlows } from "@telnyx-voice/flows";

export interface VoiceBotOptions {
  /** Where Telnyx opens the stream: this app's MediaStreams, e.g. wss://bot.example.com/media. */
  streamUrl: string;
  /** The stream_auth_token Telnyx sends, which MediaStreams checks (its authToken). */
  streamAuthToken: string;
  /** What the bot says first: 16-bit PCM at 8 kHz. */
  greeting: Int16Array;
}

const RATE = 8000;
const LOUD = 1000; // RMS over a 20 ms chunk above which the caller is talking
const PAUSE_MS = 400; // this much quiet ends what they said

export function voiceBot(flows: CallFlows, options: VoiceBotOptions): void {
  flows.incoming(async (call) => {
    await call.answer();
    await call.streamingStart({
      stream_url: options.streamUrl,
      stream_auth_token: options.streamAuthToken,
      stream_bidirectional_mode: "rtp",
      stream_bidirectional_codec: "PCMU",
    });
    const stream = await call.mediaStream();
    stream.on("dtmf", (frame) => {
      if (frame.dtmf.digit === "#") call.hangup().catch(() => {}); // the call may have ended already
    });
    let talking = 0; // what the bot has queued and not yet heard played (marks pending)
    const say = (pcm: Int16Array) => {
      talking++;
      stream.play(pcm, { sampleRate: RATE });
      void stream.mark("said").then(() => talking--);
    };
    say(options.greeting);
    let heard: Int16Array[] = [];
    let quietMs = 0;
    for await (const chunk of stream.audio({ sampleRate: RATE })) {
      if (chunk.kind !== "pcm") continue;
      if (rms(chunk.samples) > LOUD) {
        if (talking > 0) stream.clear(); // barge-in: queued audio dropped, its mark settles
        heard.push(chunk.samples);
        quietMs = 0;
      } else if (heard.length > 0) quietMs += (chunk.samples.length * 1000) / RATE;
      // A pause ends what the caller said; so do 10 s of it (a caller who never pauses is not kept for ever).
      if (heard.length > 0 && (quietMs >= PAUSE_MS || heard.length >= 500)) {
        say(concat(heard));
        heard = [];
      }
    }
  });
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
