// The simulator speaks Telnyx's media stream protocol (spec/media-stream.yaml) to a plain `ws` server standing in
// for the app: connected (auth token), start, a media frame every 20 ms in the codec and track asked for, dtmf,
// marks, clear, stop; the far end talks (sendAudio) and listens (receivedAudio); the media delivery options
// swap, delay and double frames. Frames are decoded with the test's own G.711 reference (media-app.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_API_KEY, FarEndAudioRefused, type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, dialAnswered, type Receiver, startReceiver } from "./helpers.js";
import {
  type AppConnection,
  decode,
  firstSound,
  type Frame,
  joined,
  type MediaFrameIn,
  mediaApp,
  relativeError,
  tone,
} from "./media-app.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sim: Simulator;
let receiver: Receiver;
let call: Api;
let app: Awaited<ReturnType<typeof mediaApp>>;
const warnings: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  app = await mediaApp();
  sim = await startSimulator({
    webhookUrl: receiver.url,
    answerDelayMs: 5,
    logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
  });
  call = api(sim);
});
afterAll(async () => {
  await sim.stop();
  await app.close();
  await receiver.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const act = (id: string, action: string, body: Record<string, unknown> = {}) =>
  call("POST", `/calls/${encodeURIComponent(id)}/actions/${action}`, body);

/** An answered call with a stream to `path` started by streaming_start with `body`; its open connection. */
async function streaming(path: string, body: Record<string, unknown> = {}): Promise<{ id: string; c: AppConnection }> {
  const id = await dialAnswered(call, receiver);
  const res = await act(id, "streaming_start", { stream_url: app.url(path), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const c = await app.connection(path);
  await c.waitFor((x) => x.frames.length >= 2, "connected and start");
  return { id, c };
}

const events = (c: AppConnection) => c.frames.map((f) => f.event);
const startOf = (c: AppConnection) =>
  c.frames[1] as Frame & { start: { media_format: { encoding: string; sample_rate: number } } };

describe("the frames", () => {
  it("connected with the auth token, start, media every 20 ms (silence), then stop and a clean close on streaming_stop", async () => {
    const { id, c } = await streaming("/frames", {
      stream_auth_token: "secret-token",
      client_state: "c3RyZWFt",
      custom_parameters: [{ name: "customer_id", value: "customer_123" }],
    });
    expect(c.headers["x-telnyx-streaming-auth-token"]).toBe("secret-token");
    expect(c.frames[0]).toEqual({
      event: "connected",
      version: "1.0.0",
      connected: { "x-telnyx-streaming-auth-token": "secret-token" },
    });
    const simCall = sim.calls.get(id)!;
    expect(c.frames[1]).toEqual({
      event: "start",
      sequence_number: "1",
      stream_id: expect.stringMatching(UUID),
      start: {
        call_control_id: id,
        call_session_id: simCall.callSessionId,
        from: simCall.from,
        to: simCall.to,
        client_state: "c3RyZWFt",
        custom_parameters: { customer_id: "customer_123" },
        media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 },
      },
    });
    await c.waitFor((x) => x.media().length >= 15, "15 media frames");
    const media = c.media();
    const streamId = c.frames[1]?.stream_id;
    media.forEach((f, i) => {
      // Only the inbound track by default; counters consecutive; 20 ms of PCMU silence (0xFF) each.
      expect(f).toMatchObject({ stream_id: streamId, sequence_number: String(i + 2) });
      expect(f.media).toMatchObject({ track: "inbound", chunk: String(i + 1), timestamp: String(i * 20) });
      expect(Buffer.from(f.media.payload, "base64")).toEqual(Buffer.alloc(160, 0xff));
    });
    // Cadence: from the first media frame to the 15th, 14 periods of 20 ms (loosely: timers on a busy machine).
    const first = c.at[2] as number;
    const fifteenth = c.at[16] as number;
    expect(fifteenth - first).toBeGreaterThan(14 * 20 * 0.6);
    expect(fifteenth - first).toBeLessThan(14 * 20 * 1.8);

    await act(id, "streaming_stop");
    expect(await c.closed).toBe(1000);
    const last = c.frames[c.frames.length - 1]!;
    expect(last).toEqual({
      event: "stop",
      sequence_number: String(c.frames.length - 1),
      stream_id: streamId,
      stop: { call_control_id: id },
    });
    expect(events(c).filter((e) => e === "stop")).toHaveLength(1);
    await act(id, "hangup");
  });

  it("without a token: no header and no token in connected; the hangup ends the stream with stop", async () => {
    const { id, c } = await streaming("/hangup");
    expect(c.headers["x-telnyx-streaming-auth-token"]).toBeUndefined();
    expect(c.frames[0]).toEqual({ event: "connected", version: "1.0.0" });
    await c.waitFor((x) => x.media().length >= 2, "media");
    sim.calls.get(id)!.hangup();
    expect(await c.closed).toBe(1000);
    expect(c.frames[c.frames.length - 1]?.event).toBe("stop");
    await receiver.waitFor(() => receiver.ofCall(id).includes("call.hangup"), "call.hangup");
    expect(receiver.ofCall(id).slice(-2)).toEqual(["streaming.stopped", "call.hangup"]);
  });
});

describe("codecs and tracks", () => {
  it.each([
    ["PCMU", "PCMU", 8000],
    ["PCMA", "PCMA", 8000],
    ["L16", "L16", 16000],
    // The simulator cannot encode G722: the call's codec is streamed, as Telnyx does when it cannot transcode.
    ["G722", "PCMU", 8000],
  ])(
    "stream_codec %s: media_format %s at %i Hz, and what the far end says arrives in it",
    async (codec, encoding, rate) => {
      const { id, c } = await streaming(`/codec-${codec}`, { stream_codec: codec });
      expect(startOf(c).start.media_format).toEqual({ encoding, sample_rate: rate, channels: 1 });
      const said = tone(440, rate, 200);
      expect(sim.calls.get(id)!.sendAudio(said, { sampleRate: rate })).toBe(200);
      await c.waitFor((x) => {
        const heard = joined(encoding, x.media());
        const at = firstSound(heard);
        return at >= 0 && heard.length - at >= said.length;
      }, "the tone");
      const heard = joined(encoding, c.media());
      const start = firstSound(heard);
      const got = heard.subarray(start - firstSound(said), start - firstSound(said) + said.length);
      // L16 is exact; G.711 within its quantisation (under 3% RMS at this level).
      if (encoding === "L16") expect(got).toEqual(said);
      else expect(relativeError(said, got)).toBeLessThan(0.03);
      if (codec === "G722") expect(warnings.some((w) => w.includes("stream_codec G722"))).toBe(true);
      await act(id, "hangup");
    },
  );

  it("audio given at another rate is resampled to the stream's (48 kHz said, 8 kHz PCMU sent)", async () => {
    const { id, c } = await streaming("/resampled");
    sim.calls.get(id)!.sendAudio(tone(300, 48000, 200), { sampleRate: 48000 });
    await c.waitFor((x) => firstSound(joined("PCMU", x.media())) >= 0 && x.media().length > 20, "the tone");
    const heard = joined("PCMU", c.media());
    const start = firstSound(heard, 2000);
    const expected = tone(300, 8000, 200);
    // Aligned on the first sample past 2000 in both, compared over the middle 100 ms.
    const offset = start - firstSound(expected, 2000);
    expect(relativeError(expected.subarray(400, 1200), heard.subarray(offset + 400, offset + 1200))).toBeLessThan(0.05);
    await act(id, "hangup");
  });

  it("both_tracks: an inbound and an outbound frame each period, each track counting its own chunks", async () => {
    const { id, c } = await streaming("/both", { stream_track: "both_tracks" });
    await c.waitFor((x) => x.media().length >= 10, "media");
    const inbound = c.media("inbound");
    const outbound = c.media("outbound");
    expect(Math.abs(inbound.length - outbound.length)).toBeLessThanOrEqual(1);
    expect(inbound.map((f) => f.media.chunk).slice(0, 4)).toEqual(["1", "2", "3", "4"]);
    expect(outbound.map((f) => f.media.chunk).slice(0, 4)).toEqual(["1", "2", "3", "4"]);
    await act(id, "hangup");
  });
});

describe("the app speaks (stream_bidirectional_mode rtp)", () => {
  /** 20 ms PCMU frames of `pcm` (8 kHz), as the app sends them; and the bytes, for comparison. */
  function pcmuFrames(pcm: Int16Array): { frames: string[]; bytes: Buffer } {
    const bytes = Buffer.alloc(pcm.length);
    for (let i = 0; i < pcm.length; i++) bytes[i] = ulawCode(pcm[i] as number);
    const frames: string[] = [];
    for (let i = 0; i < bytes.length; i += 160) {
      frames.push(
        JSON.stringify({ event: "media", media: { payload: bytes.subarray(i, i + 160).toString("base64") } }),
      );
    }
    return { frames, bytes };
  }

  it("plays the app's audio at real-time pace; the mark after it comes back once it has played; the far end hears it", async () => {
    const { id, c } = await streaming("/play", { stream_bidirectional_mode: "rtp", stream_track: "both_tracks" });
    const far = sim.calls.get(id)!;
    const { frames, bytes } = pcmuFrames(tone(500, 8000, 300));
    const sent = performance.now();
    for (const frame of frames) c.send(frame);
    c.send({ event: "mark", mark: { name: "greeting" } });
    await sleep(60);
    expect(far.receivedAudio().ms).toBeLessThan(200);
    await c.waitFor((x) => x.frames.some((f) => f.event === "mark"), "the mark", 3000);
    const markAt = c.at[c.frames.findIndex((f) => f.event === "mark")] as number;
    expect(markAt - sent).toBeGreaterThanOrEqual(300 - 25);
    expect(c.frames.find((f) => f.event === "mark")).toMatchObject({
      mark: { name: "greeting" },
      stream_id: c.frames[1]?.stream_id,
    });
    const received = far.receivedAudio();
    expect(received.sampleRate).toBe(8000);
    expect(received.droppedMs).toBe(0);
    // Decoded exactly as G.711 says: the reference decoder's values for the bytes sent.
    expect(received.pcm).toEqual(decode("PCMU", bytes.toString("base64")));
    // And played on the outbound track, re-encoded to the same bytes.
    const outbound = Buffer.concat(
      c
        .media("outbound")
        .map((f) => Buffer.from(f.media.payload, "base64"))
        .filter((b) => b.some((x) => x !== 0xff)),
    );
    expect(outbound).toEqual(bytes);
    expect(far.receivedAudio({ sampleRate: 16000 }).pcm.length).toBe(2 * received.pcm.length);
    await act(id, "hangup");
  });

  it("a mark with nothing queued comes back at once; clear drops the queued audio and returns its marks", async () => {
    const { id, c } = await streaming("/clear", { stream_bidirectional_mode: "rtp" });
    const far = sim.calls.get(id)!;
    c.send({ event: "mark", mark: { name: "nothing-queued" } });
    await c.waitFor((x) => x.frames.some((f) => f.event === "mark"), "the first mark", 1000);
    const { frames } = pcmuFrames(tone(500, 8000, 2000));
    for (const frame of frames) c.send(frame);
    c.send({ event: "mark", mark: { name: "after-2s" } });
    await sleep(150);
    const sentClear = performance.now();
    c.send({ event: "clear" });
    await c.waitFor((x) => x.frames.filter((f) => f.event === "mark").length === 2, "the cleared mark", 1000);
    expect(
      c.at[c.frames.findIndex((f) => (f as { mark?: { name: string } }).mark?.name === "after-2s")]! - sentClear,
    ).toBeLessThan(500);
    const cut = far.receivedAudio().ms;
    expect(cut).toBeGreaterThan(60);
    expect(cut).toBeLessThan(1000);
    await sleep(100);
    expect(far.receivedAudio().ms).toBe(cut);
    await act(id, "hangup");
  });

  it("bad frames get error frames and the stream goes on; mp3 mode is not played (said once)", async () => {
    const { id, c } = await streaming("/errors");
    c.send("not json");
    c.socket.send(Buffer.from([1, 2, 3]));
    c.send({ event: "dance" });
    c.send({ event: "media", media: { payload: "!!" } });
    c.send({ event: "mark", mark: { name: "x".repeat(1025) } });
    c.send({ event: "media", media: { payload: Buffer.alloc(160, 0xff).toString("base64") } });
    await c.waitFor((x) => x.frames.filter((f) => f.event === "error").length === 5, "five error frames");
    const titles = c.frames.filter((f) => f.event === "error").map((f) => (f.payload as { title: string }).title);
    expect(titles).toEqual(["malformed frame", "binary frame", "unknown event", "invalid media", "invalid mark"]);
    expect(warnings.some((w) => w.includes("mp3 mode"))).toBe(true);
    const before = c.media().length;
    await c.waitFor((x) => x.media().length > before + 2, "media still flowing");
    await act(id, "hangup");
  });
});

describe("the far end", () => {
  it("pressDigits sends a dtmf frame per digit, beside call.dtmf.received", async () => {
    const { id, c } = await streaming("/dtmf");
    sim.calls.get(id)!.pressDigits("12#");
    await c.waitFor((x) => x.frames.filter((f) => f.event === "dtmf").length === 3, "three dtmf frames");
    const dtmf = c.frames.filter((f) => f.event === "dtmf");
    expect(dtmf.map((f) => (f.dtmf as { digit: string }).digit)).toEqual(["1", "2", "#"]);
    expect(dtmf[0]).toMatchObject({
      stream_id: c.frames[1]?.stream_id,
      sequence_number: expect.stringMatching(/^\d+$/),
    });
    await receiver.waitFor(
      () => receiver.ofCall(id).filter((t) => t === "call.dtmf.received").length === 3,
      "call.dtmf.received x3",
    );
    await act(id, "hangup");
  });

  it("over HTTP (the CLI): POST send_audio says base64 PCM, GET received_audio reads what was heard", async () => {
    const farEnd = api(sim, DEFAULT_API_KEY, "far end");
    const { id, c } = await streaming("/http", { stream_bidirectional_mode: "rtp" });
    const path = `/calls/${encodeURIComponent(id)}`;
    const said = tone(440, 8000, 100);
    const audio = Buffer.from(said.buffer, said.byteOffset, said.byteLength).toString("base64");
    const res = await farEnd<{ data: { ms: number } }>("POST", `${path}/send_audio`, { audio, sample_rate: 8000 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.ms).toBe(100);
    await c.waitFor((x) => firstSound(joined("PCMU", x.media())) >= 0, "the caller's tone");
    c.send({ event: "media", media: { payload: Buffer.alloc(160, 0x80).toString("base64") } });
    c.send({ event: "mark", mark: { name: "played" } });
    await c.waitFor((x) => x.frames.some((f) => f.event === "mark"), "the mark");
    const heard = await farEnd<{ data: { audio: string; sample_rate: number; ms: number; dropped_ms: number } }>(
      "GET",
      `${path}/received_audio`,
    );
    expect(heard.body.data).toMatchObject({ sample_rate: 8000, ms: 20, dropped_ms: 0 });
    const bytes = Buffer.from(heard.body.data.audio, "base64");
    const pcm = Int16Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readInt16LE(i * 2));
    expect(pcm).toEqual(sim.calls.get(id)!.receivedAudio().pcm);
    expect(pcm[0]).toBe(32124); // PCMU 0x80: the loudest positive step (G.711 table 2a)
    const odd = await farEnd<{ errors: Array<{ source?: { pointer?: string } }> }>("POST", `${path}/send_audio`, {
      audio: "AAAA", // 3 bytes: half a sample over
      sample_rate: 8000,
    });
    expect(odd.status).toBe(422);
    expect(odd.body.errors[0]?.source?.pointer).toBe("/audio");
    const rate = await farEnd<{ errors: Array<{ source?: { pointer?: string } }> }>("POST", `${path}/send_audio`, {
      audio,
    });
    expect(rate.body.errors[0]?.source?.pointer).toBe("/sample_rate");
    await act(id, "streaming_stop");
    const none = await farEnd<{ errors: Array<{ code: string }> }>("POST", `${path}/send_audio`, {
      audio,
      sample_rate: 8000,
    });
    expect(none.status).toBe(422);
    expect(none.body.errors[0]?.code).toBe("90033");
    await act(id, "hangup");
  });

  it("scripted first words: inboundCall({ says }) and sim.farEnd(number, { says }) speak once the first stream starts", async () => {
    const hello = tone(350, 8000, 100);
    const inbound = sim.inboundCall({
      from: "+12025550142",
      to: "+12025550100",
      connectionId: "says",
      says: { pcm: hello, sampleRate: 8000 },
    });
    await act(inbound.callControlId, "answer", { stream_url: app.url("/says-inbound") });
    sim.farEnd("+12025550177", { says: { pcm: hello, sampleRate: 8000 } });
    const dialled = await call<{ data: { call_control_id: string } }>("POST", "/calls", {
      connection_id: "says",
      from: "+12025550100",
      to: "+12025550177",
      stream_url: app.url("/says-dial"),
    });
    for (const path of ["/says-inbound", "/says-dial"]) {
      const c = await app.connection(path);
      await c.waitFor((x) => x.media().length >= 8, "the first words");
      const heard = joined("PCMU", c.media());
      // From the first frame on: the stream's first 100 ms are the script's words.
      expect(relativeError(hello.subarray(0, 800), heard.subarray(0, 800))).toBeLessThan(0.03);
    }
    expect(() =>
      sim.inboundCall({
        from: "+12025550142",
        to: "+12025550100",
        connectionId: "says",
        says: { pcm: hello, sampleRate: 0 },
      }),
    ).toThrow(/says sampleRate must be/);
    expect(() =>
      sim.farEnd("+12025550177", { says: { pcm: [1, 2] as unknown as Int16Array, sampleRate: 8000 } }),
    ).toThrow(/says pcm must be an Int16Array/);
    sim.calls.get(inbound.callControlId)?.hangup();
    sim.calls.get(dialled.body.data.call_control_id)?.hangup();
    // Over HTTP: says { audio (base64 s16le), sample_rate }.
    const farEnd = api(sim, DEFAULT_API_KEY, "far end");
    const audio = Buffer.from(hello.buffer, hello.byteOffset, hello.byteLength).toString("base64");
    const posted = await farEnd<{ data: { call_control_id: string } }>("POST", "/inbound_calls", {
      from: "+12025550142",
      to: "+12025550100",
      connection_id: "says",
      says: { audio, sample_rate: 8000 },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    await act(posted.body.data.call_control_id, "answer", { stream_url: app.url("/says-http") });
    const c = await app.connection("/says-http");
    await c.waitFor((x) => x.media().length >= 8, "the first words over HTTP");
    expect(relativeError(hello.subarray(0, 800), joined("PCMU", c.media()).subarray(0, 800))).toBeLessThan(0.03);
    const bad = await farEnd<{ errors: Array<{ source?: { pointer?: string } }> }>("POST", "/far_ends", {
      number: "+12025550178",
      says: { audio: "AAAA", sample_rate: 8000 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]?.source?.pointer).toBe("/says/audio");
    sim.calls.get(posted.body.data.call_control_id)?.hangup();
  });

  it("sendAudio is refused, nothing queued, for bad audio, no stream, too much at once, an ended call", async () => {
    const id = await dialAnswered(call, receiver);
    const far = sim.calls.get(id)!;
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(FarEndAudioRefused);
        return (error as FarEndAudioRefused).reason;
      }
      return "accepted";
    };
    expect(reason(() => far.sendAudio(new Int16Array(160), { sampleRate: 8000 }))).toBe("no_stream");
    await act(id, "streaming_start", { stream_url: app.url("/refusals") });
    expect(reason(() => far.sendAudio(new Float32Array(4) as unknown as Int16Array, { sampleRate: 8000 }))).toBe(
      "invalid_audio",
    );
    expect(reason(() => far.sendAudio(new Int16Array(4), { sampleRate: 7.5 }))).toBe("invalid_audio");
    expect(reason(() => far.sendAudio(new Int16Array(8000 * 61), { sampleRate: 8000 }))).toBe("too_much_queued");
    expect(reason(() => far.sendAudio(new Int16Array(8000 * 30), { sampleRate: 8000 }))).toBe("accepted");
    expect(reason(() => far.sendAudio(new Int16Array(8000 * 31), { sampleRate: 8000 }))).toBe("too_much_queued");
    far.hangup();
    expect(reason(() => far.sendAudio(new Int16Array(160), { sampleRate: 8000 }))).toBe("call_ended");
  });
});

describe("media delivery options", () => {
  async function arrivalOrder(media: Record<string, number>, path: string, count: number): Promise<MediaFrameIn[]> {
    const own = await startReceiver(() => other.publicKey);
    const other: Simulator = await startSimulator({ webhookUrl: own.url, answerDelayMs: 5, media });
    try {
      const id = await dialAnswered(api(other), own);
      await api(other)("POST", `/calls/${id}/actions/streaming_start`, { stream_url: app.url(path) });
      const c = await app.connection(path);
      await c.waitFor((x) => x.media().length >= count, `${count} media frames`);
      return c.media().slice(0, count);
    } finally {
      await other.stop();
      await own.close();
    }
  }

  it("reorderRate and duplicateRate swap and double frames, the same way for the same seed; none is lost", async () => {
    const options = { reorderRate: 0.3, duplicateRate: 0.2, seed: 7 };
    const a = (await arrivalOrder(options, "/net-a", 40)).map((f) => Number(f.media.chunk));
    const b = (await arrivalOrder(options, "/net-b", 40)).map((f) => Number(f.media.chunk));
    expect(a).toEqual(b);
    expect(a).not.toEqual([...a].sort((x, y) => x - y));
    expect(new Set(a).size).toBeLessThan(a.length);
    const highest = Math.max(...a);
    // Every chunk below the highest seen arrived (at most one is held back at a time).
    for (let k = 1; k < highest - 1; k++) expect(a).toContain(k);
  });

  it("jitterMs delays frames so they overtake one another", async () => {
    const chunks = (await arrivalOrder({ jitterMs: 60, seed: 3 }, "/jitter", 30)).map((f) => Number(f.media.chunk));
    expect(chunks).not.toEqual([...chunks].sort((x, y) => x - y));
    expect(new Set(chunks).size).toBe(chunks.length);
  });

  it("bad options are refused before anything starts", async () => {
    await expect(startSimulator({ media: { reorderRate: 2 } })).rejects.toThrow(
      /media.reorderRate must be a number from 0 to 1/,
    );
    await expect(startSimulator({ media: { jitterMs: -1 } })).rejects.toThrow(/media.jitterMs/);
  });
});

/** mu-law encoding of one sample (the classic reference: bias 0x84, clip 32635). */
function ulawCode(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}
