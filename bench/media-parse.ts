// Media frames through @telnyx-voice/media against the least any app must do with one, side by side.
// Ours: the whole path of a frame after the socket, as an app gets it: the text handed to the stream
// (accept() of an in-memory socket), JSON.parse, the frame checked against its schema, put in order, its base64
// payload decoded, G.711 decoded to 16-bit PCM (and, in the second row, resampled 8 -> 16 kHz), and read by a
// `for await` over stream.audio(). Baseline: JSON.parse plus Buffer.from(payload, "base64") alone: no check,
// no order, no PCM. 20 ms PCMU frames at 8 kHz (160 bytes) as Telnyx sends them.
import { fileURLToPath } from "node:url";
import { MediaStreams, type StandardWebSocketLike } from "@telnyx-voice/media";
import { median } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const FRAMES = 4000;
const ROUNDS = 15;

/** The frames of one stream: start, then FRAMES media frames of a 440 Hz tone, as Telnyx words them. */
function frames(): { start: string; media: string[] } {
  const start = JSON.stringify({
    event: "start",
    sequence_number: "1",
    stream_id: "32DE0DEA-53CB-4B21-89A4-9E1819C043BC",
    start: {
      user_id: "3E6F995F-85F7-4705-9741-53B116D28237",
      call_control_id: "v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ",
      call_session_id: "ff55a038-6f5d-11ef-9692-02420aeffb1f",
      from: "+13122010094",
      to: "+13122123456",
      media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 },
    },
  });
  const media: string[] = [];
  for (let n = 1; n <= FRAMES; n++) {
    const payload = Buffer.alloc(160);
    for (let i = 0; i < 160; i++)
      payload[i] = (Math.round(64 * Math.sin((2 * Math.PI * 440 * (n * 160 + i)) / 8000)) & 0x7f) | 0x80;
    media.push(
      JSON.stringify({
        event: "media",
        sequence_number: String(n + 1),
        stream_id: "32DE0DEA-53CB-4B21-89A4-9E1819C043BC",
        media: { track: "inbound", chunk: String(n), timestamp: String(n * 20), payload: payload.toString("base64") },
      }),
    );
  }
  return { start, media };
}

/** A socket that is only its listeners: the frames are handed to it here, with no network in the way. */
class MemorySocket implements StandardWebSocketLike {
  readonly bufferedAmount = 0;
  onMessage: (event: { data: unknown }) => void = () => {};
  onClose: (event: { code: number; reason: string }) => void = () => {};
  send(): void {}
  close(code = 1000, reason = ""): void {
    this.onClose({ code, reason });
  }
  addEventListener(type: "message" | "close", listener: never): void {
    if (type === "message") this.onMessage = listener;
    else this.onClose = listener;
  }
}

async function ours(
  media: MediaStreams,
  input: ReturnType<typeof frames>,
  sampleRate: number | undefined,
): Promise<number> {
  const socket = new MemorySocket();
  const stream = new Promise<Parameters<Parameters<MediaStreams["handle"]>[0]>[0]>((resolve) => media.handle(resolve));
  media.accept(socket);
  socket.onMessage({ data: input.start });
  const s = await stream;
  const started = performance.now();
  const reading = (async () => {
    let samples = 0;
    for await (const chunk of s.audio({ sampleRate, maxBufferedMs: 600_000 }))
      if (chunk.kind === "pcm") samples += chunk.samples.length;
    return samples;
  })();
  for (const text of input.media) socket.onMessage({ data: text });
  socket.onMessage({ data: `{"event":"stop"}` });
  const samples = await reading;
  const elapsed = performance.now() - started;
  if (samples < FRAMES * 160 * ((sampleRate ?? 8000) / 8000) * 0.99)
    throw new Error(`only ${samples} samples came out`);
  return (FRAMES * 1000) / elapsed;
}

function baseline(input: ReturnType<typeof frames>): number {
  const started = performance.now();
  let bytes = 0;
  for (const text of input.media) {
    const frame = JSON.parse(text) as { media: { payload: string } };
    bytes += Buffer.from(frame.media.payload, "base64").length;
  }
  const elapsed = performance.now() - started;
  if (bytes !== FRAMES * 160) throw new Error("baseline decoded the wrong length");
  return (FRAMES * 1000) / elapsed;
}

export async function run(): Promise<BenchRow[]> {
  const input = frames();
  const media = new MediaStreams({ authToken: false, onError: (error) => console.error(error.message) });
  const cases: Record<string, () => Promise<number>> = {
    ours: () => ours(media, input, undefined),
    resampled: () => ours(media, input, 16000),
    baseline: async () => baseline(input),
  };
  // Warm-up, then rounds in rotating order so the machine's noise falls on every case alike.
  for (const fn of Object.values(cases)) await fn();
  const samples: Record<string, number[]> = { ours: [], resampled: [], baseline: [] };
  const names = Object.keys(cases);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as string;
      samples[name]?.push(await (cases[name] as () => Promise<number>)());
    }
  }
  await media.close();
  const rate = Object.fromEntries(names.map((n) => [n, median(samples[n] as number[])])) as Record<string, number>;
  const per = (v: number) => `${Math.round(v).toLocaleString("en-US")} frames/s`;
  const base = `JSON.parse + base64 alone: ${per(rate.baseline as number)}`;
  return [
    {
      metric: "media: frames parsed, checked, ordered, decoded to PCM and read (PCMU 20 ms)",
      ours: per(rate.ours as number),
      baseline: base,
      ratio: (rate.ours as number) / (rate.baseline as number),
      better: "higher",
    },
    {
      metric: "media: the same, resampled 8 -> 16 kHz",
      ours: per(rate.resampled as number),
      baseline: base,
      ratio: (rate.resampled as number) / (rate.baseline as number),
      better: "higher",
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable("Media frames", await run());
