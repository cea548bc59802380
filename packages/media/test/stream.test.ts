// A stream end to end over a real node:http server and a real `ws` client standing in for Telnyx: audio in
// order (reordered and duplicated frames, gaps filled and reported), decoded and resampled; dtmf; play()
// encoded and chunked; marks and clear; the end; bad frames; a reader that stops reading.
import { afterEach, describe, expect, test } from "vitest";
import { encodeAlaw, encodeL16, encodeUlaw } from "../src/codecs/index.js";
import type { AudioChunk } from "../src/audio.js";
import type { MediaStreamError } from "../src/errors.js";
import type { GapInfo, MediaStream } from "../src/stream.js";
import type { MediaStreamsOptions } from "../src/options.js";
import {
  CALL,
  FakeTelnyx,
  type MediaServer,
  mediaFrame,
  mediaServer,
  rms,
  sine,
  type StartOptions,
  within,
} from "./helpers.js";

let server: MediaServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server, a far side that has sent connected + start, and the stream the handler was given. */
async function open(
  options: MediaStreamsOptions = {},
  start: StartOptions = {},
): Promise<{ far: FakeTelnyx; stream: MediaStream }> {
  server = await mediaServer(options);
  const handed = new Promise<MediaStream>((resolve) => server?.media.handle(resolve));
  const far = await FakeTelnyx.open(server.url);
  await far.begin(start);
  return { far, stream: await within(handed, 5000, "the stream handler") };
}

/** 20 ms of PCMU at 8 kHz whose every byte is `n` (a frame that says which it is once decoded). */
function marked(n: number): Uint8Array {
  return new Uint8Array(160).fill(n);
}

/** Reads chunks until `count` have come. */
async function read(iterator: AsyncIterator<AudioChunk>, count: number): Promise<AudioChunk[]> {
  const out: AudioChunk[] = [];
  while (out.length < count) {
    const next = await within(iterator.next(), 5000, `audio chunk ${out.length + 1} of ${count}`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe("the start frame", () => {
  test("is typed and given whole: ids, custom parameters, media format", async () => {
    const { far, stream } = await open();
    expect(stream.streamId).toBe("32DE0DEA-53CB-4B21-89A4-9E1819C043BC");
    expect(stream.callControlId).toBe(CALL);
    expect(stream.mediaFormat).toEqual({ encoding: "PCMU", sample_rate: 8000, channels: 1 });
    expect(stream.customParameters).toEqual({ customer_id: "customer_123" });
    expect(stream.start.start.client_state).toBe("aGF2ZSBhIG5pY2UgZGF5ID1d");
    expect(stream.playbackFormat).toEqual({ codec: "PCMU", sampleRate: 8000 });
    expect(server?.media.streams.get(stream.streamId)).toBe(stream);
    far.close();
    expect((await within(stream.ended, 5000, "the end")).reason).toBe("closed");
    expect(server?.media.streams.size).toBe(0);
  });

  test("streamFor() hands a waiting caller its call's stream, and times out with a typed error", async () => {
    server = await mediaServer();
    const waiting = server.media.streamFor(CALL, { timeoutMs: 5000 });
    const far = await FakeTelnyx.open(server.url);
    await far.begin();
    const stream = await within(waiting, 5000, "streamFor");
    expect(stream.callControlId).toBe(CALL);
    // Once open, by call_control_id or stream_id at once.
    expect(await server.media.streamFor(stream.streamId)).toBe(stream);
    const error = await server.media.streamFor("v3:another-call", { timeoutMs: 30 }).catch((e: unknown) => e);
    expect((error as MediaStreamError).reason).toBe("stream_wait_timeout");
    expect((error as MediaStreamError).message).toContain("v3:another-call");
    far.close();
  });
});

describe("audio in order", () => {
  test("reordered and duplicated frames come out once each, in order", async () => {
    const { far, stream } = await open();
    const audio = stream.audio();
    // 1..8 arriving as the network may deliver them: swapped neighbours, a duplicate, one 3 frames late.
    for (const n of [2, 1, 3, 3, 5, 6, 4, 1, 8, 7, 8]) far.send(mediaFrame(n, marked(n)));
    const chunks = await read(audio, 8);
    expect(chunks.map((c) => c.chunk)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Decoded: every sample of frame n is mu-law byte n's value.
    const first = chunks[0];
    expect(first?.kind).toBe("pcm");
    if (first?.kind === "pcm") {
      expect(first.samples.length).toBe(160);
      expect(first.sampleRate).toBe(8000);
      expect(first.codec).toBe("PCMU");
      // Byte 0x01 is 0xFE inverted: negative, segment 8, step 14: G.711 Table 2a's output value 7775.
      expect(first.samples[0]).toBe(-7775 * 4);
    }
    expect(stream.stats).toMatchObject({ mediaFrames: 11, duplicates: 3, lostFrames: 0 });
    far.close();
  });

  test("a missing frame is declared lost once the window passes, reported, and filled with silence", async () => {
    const { far, stream } = await open({ reorderWindow: 2 });
    const gaps: GapInfo[] = [];
    stream.on("gap", (gap) => gaps.push(gap));
    const audio = stream.audio();
    for (const n of [1, 2, 4, 5, 6]) far.send(mediaFrame(n, marked(n)));
    const chunks = await read(audio, 5);
    expect(chunks.map((c) => [c.chunk, c.filled])).toEqual([
      [1, false],
      [2, false],
      [undefined, true],
      [4, false],
      [5, false],
    ]);
    const fill = chunks[2];
    if (fill?.kind === "pcm") expect(Array.from(fill.samples)).toEqual(new Array(160).fill(0));
    expect(gaps).toEqual([{ track: "inbound", from: 3, missing: 1, filledMs: 20 }]);
    // Frame 3 arriving after all is late: dropped and counted, never played out of order.
    far.send(mediaFrame(3, marked(3)));
    far.send(mediaFrame(7, marked(7)));
    expect((await read(audio, 2)).map((c) => c.chunk)).toEqual([6, 7]);
    expect(stream.stats.late).toBe(1);
    far.close();
  });

  test("each track is ordered on its own; a reader gets the track it asked for", async () => {
    const { far, stream } = await open({}, {});
    const inbound = stream.audio();
    const outbound = stream.audio({ track: "outbound" });
    for (const n of [1, 2, 3]) {
      far.send(mediaFrame(n, marked(n), "outbound"));
      far.send(mediaFrame(n, marked(n + 10), "inbound"));
    }
    const a = await read(inbound, 3);
    const b = await read(outbound, 3);
    expect(a.map((c) => c.track)).toEqual(["inbound", "inbound", "inbound"]);
    expect(b.map((c) => c.track)).toEqual(["outbound", "outbound", "outbound"]);
    expect(stream.stats.reordered).toBe(0);
    far.close();
  });

  test("frames with only sequence_number (the stream's count) are ordered across tracks; a number another frame took is no gap", async () => {
    const { far, stream } = await open();
    const gaps: GapInfo[] = [];
    stream.on("gap", (gap) => gaps.push(gap));
    const inbound = stream.audio();
    const outbound = stream.audio({ track: "outbound" });
    const frame = (seq: number, track: string, byte: number) => ({
      event: "media",
      sequence_number: String(seq),
      media: { track, payload: Buffer.from(marked(byte)).toString("base64") },
    });
    // start was 1; both tracks take turns, a dtmf takes 6, and the network swaps some.
    far.send({ event: "mark", sequence_number: "9", mark: { name: "x" } }); // taken before any media came
    far.send(frame(3, "outbound", 11));
    far.send(frame(2, "inbound", 1));
    far.send(frame(4, "inbound", 2));
    far.send(frame(5, "outbound", 12));
    far.send({ event: "dtmf", sequence_number: "6", dtmf: { digit: "5" } });
    far.send(frame(8, "outbound", 13));
    far.send(frame(7, "inbound", 3));
    far.send(frame(10, "inbound", 4));
    const a = await read(inbound, 4);
    const b = await read(outbound, 3);
    expect(a.map((c) => c.sequenceNumber)).toEqual([2, 4, 7, 10]);
    expect(b.map((c) => c.sequenceNumber)).toEqual([3, 5, 8]);
    expect(gaps).toEqual([]);
    expect(stream.stats.lostFrames).toBe(0);
    far.close();
  });

  test.each([
    ["PCMA", 8000, (pcm: Int16Array) => encodeAlaw(pcm)],
    ["L16", 16000, (pcm: Int16Array) => encodeL16(pcm)],
    ["PCMU", 8000, (pcm: Int16Array) => encodeUlaw(pcm)],
  ] as const)("%s at %i Hz decodes and resamples to 16, 24 and 48 kHz", async (encoding, rate, encode) => {
    const { far, stream } = await open({}, { encoding, sampleRate: rate });
    const readers = [16000, 24000, 48000].map((sampleRate) => [sampleRate, stream.audio({ sampleRate })] as const);
    const tone = sine(400, rate, rate / 5); // 200 ms
    const perFrame = rate / 50;
    for (let i = 0; i < 10; i++) far.send(mediaFrame(i + 1, encode(tone.subarray(i * perFrame, (i + 1) * perFrame))));
    far.send({ event: "stop", sequence_number: "12", stream_id: stream.streamId });
    for (const [sampleRate, reader] of readers) {
      const samples: number[] = [];
      for await (const chunk of reader) {
        expect(chunk.kind).toBe("pcm");
        if (chunk.kind === "pcm") {
          expect(chunk.sampleRate).toBe(sampleRate);
          samples.push(...chunk.samples);
        }
      }
      // The whole 200 ms, at the new rate, at the tone's level (G.711 quantisation is well under 0.5 dB here).
      expect(samples.length).toBe(sampleRate / 5);
      const out = Int16Array.from(samples);
      const level = 20 * Math.log10(rms(out, sampleRate / 50, sampleRate / 6) / rms(tone, rate / 50, rate / 6));
      expect(Math.abs(level)).toBeLessThan(0.5);
    }
  });

  test("a codec this package does not decode comes raw, named", async () => {
    const { far, stream } = await open({}, { encoding: "OPUS", sampleRate: 16000 });
    const audio = stream.audio();
    far.send(mediaFrame(1, Uint8Array.of(0xfc, 0xff, 0xfe)));
    const [chunk] = await read(audio, 1);
    expect(chunk).toMatchObject({ kind: "raw", codec: "OPUS", sampleRate: 16000, chunk: 1 });
    if (chunk?.kind === "raw") expect(Array.from(chunk.payload)).toEqual([0xfc, 0xff, 0xfe]);
    expect(stream.playbackFormat).toBeUndefined();
    expect(() => stream.play(new Int16Array(160), { sampleRate: 8000 })).toThrow(
      expect.objectContaining({ reason: "unsupported_codec" }),
    );
    far.close();
  });
});

describe("events", () => {
  test("dtmf frames reach stream.on('dtmf'); stop ends the stream and its readers", async () => {
    const { far, stream } = await open();
    const digits: string[] = [];
    stream.on("dtmf", (frame) => digits.push(frame.dtmf.digit));
    const audio = stream.audio();
    far.send({ event: "dtmf", stream_id: stream.streamId, sequence_number: "3", dtmf: { digit: "1" } });
    far.send({ event: "dtmf", stream_id: stream.streamId, sequence_number: "4", dtmf: { digit: "#" } });
    far.send({
      event: "stop",
      sequence_number: "5",
      stream_id: stream.streamId,
      stop: { user_id: "3E6F995F-85F7-4705-9741-53B116D28237", call_control_id: CALL },
    });
    const end = await within(stream.ended, 5000, "the end");
    expect(end.reason).toBe("stop");
    expect(end.stop?.stop?.call_control_id).toBe(CALL);
    expect(digits).toEqual(["1", "#"]);
    expect(await within(audio.next(), 1000, "the reader's end")).toEqual({ value: undefined, done: true });
    expect(() => stream.play(new Int16Array(160), { sampleRate: 8000 })).toThrow(
      expect.objectContaining({ reason: "stream_ended" }),
    );
  });

  test("Telnyx's error frames are reported with their code and detail, and the stream goes on", async () => {
    const { far, stream } = await open();
    const errors: MediaStreamError[] = [];
    stream.on("error", (e) => errors.push(e));
    const audio = stream.audio();
    far.send({
      event: "error",
      stream_id: stream.streamId,
      payload: { code: 100002, title: "unknown_error", detail: "An unknown error has occurred" },
    });
    far.send(mediaFrame(1, marked(1)));
    await read(audio, 1);
    expect(errors.map((e) => e.reason)).toEqual(["telnyx_error"]);
    expect(errors[0]?.message).toContain("code 100002");
    expect(errors[0]?.message).toContain("An unknown error has occurred");
    far.close();
  });
});

describe("bad frames", () => {
  test("each gets a typed error, is skipped, and the stream carries on", async () => {
    const { far, stream } = await open();
    const errors: MediaStreamError[] = [];
    stream.on("error", (e) => errors.push(e));
    const audio = stream.audio();
    far.send("not json{");
    far.send("[1,2]");
    far.send({ no: "event" });
    far.send({ event: "transcript", text: "hi" });
    far.send({ event: "transcript", text: "again" }); // an unknown event is reported once per stream
    far.send({ event: "media", media: { payload: 42 } });
    far.send({ event: "media", media: { chunk: "-1", payload: "AAAA" } });
    far.send({ event: "media", sequence_number: "2", media: { chunk: "1", payload: "***not base64***" } });
    far.send({ event: "dtmf", dtmf: {} });
    far.send({
      event: "start",
      stream_id: "again",
      start: { call_control_id: "x", media_format: { encoding: "PCMU", sample_rate: 8000 } },
    });
    far.socket.send(Buffer.from([1, 2, 3]));
    far.send(mediaFrame(2, marked(2)));
    const [chunk] = await read(audio, 1);
    expect(chunk?.chunk).toBe(2);
    expect(errors.map((e) => e.reason)).toEqual([
      "invalid_json",
      "invalid_frame",
      "invalid_frame",
      "unknown_event",
      "invalid_frame",
      "invalid_frame",
      "invalid_payload",
      "invalid_frame",
      "unexpected_frame",
      "binary_frame",
    ]);
    // Where it is wrong, never the payload itself.
    expect(errors[4]?.message).toContain("frame.media.payload: expected a string");
    expect(errors[5]?.message).toContain("frame.media.chunk");
    expect(errors.every((e) => e.streamId === stream.streamId)).toBe(true);
    expect(errors.some((e) => e.message.includes("***not base64***"))).toBe(false);
    expect(stream.stats.badFrames).toBe(9);
    expect(stream.isEnded).toBe(false);
    far.close();
  });

  test("a frame over maxFrameBytes is refused by the socket itself, before it is buffered whole", async () => {
    server = await mediaServer({ maxFrameBytes: 4096 });
    const far = await FakeTelnyx.open(server.url);
    await far.begin();
    far.send({ event: "media", media: { payload: "A".repeat(8000) } });
    expect((await within(far.closed, 5000, "the close")).code).toBe(1009);
  });

  test("media before start is skipped; no start at all closes the socket after startTimeoutMs", async () => {
    server = await mediaServer({ startTimeoutMs: 100 });
    const far = await FakeTelnyx.open(server.url);
    far.send(mediaFrame(1, marked(1)));
    expect((await within(far.closed, 5000, "the close")).code).toBe(1008);
    expect(server.errors.map((e) => e.reason)).toEqual(["unexpected_frame", "start_timeout"]);
  });
});

describe("play, mark, clear", () => {
  test("play() resamples, encodes to the stream's codec and sends 20 ms frames in order", async () => {
    const { far, stream } = await open({ playAheadMs: 60_000 });
    const tone = sine(500, 16000, 16000 / 2); // 500 ms at 16 kHz, to a PCMU 8 kHz stream
    expect(stream.play(tone, { sampleRate: 16000 })).toBe(500);
    const frames = await far.waitFor("media", 25);
    expect(frames.length).toBe(25);
    const payloads = frames.map((f) => Buffer.from((f.media as { payload: string }).payload, "base64"));
    expect(payloads.every((p) => p.length === 160)).toBe(true);
    // What the far end decodes is the tone, at its level.
    const { decodeUlaw } = await import("../src/codecs/index.js");
    const heard = decodeUlaw(Buffer.concat(payloads));
    const level = 20 * Math.log10(rms(heard, 400, 3600) / rms(tone, 800, 7200));
    expect(Math.abs(level)).toBeLessThan(0.5);
    // Frames to Telnyx carry only what its description lists: event and media.payload.
    expect(Object.keys(frames[0] ?? {})).toEqual(["event", "media"]);
    expect(Object.keys((frames[0]?.media as object) ?? {})).toEqual(["payload"]);
    far.close();
  });

  test("playChunkMs sets the frame length; a short tail is padded to Telnyx's 20 ms minimum", async () => {
    const { far, stream } = await open({ playAheadMs: 60_000, playChunkMs: 100 });
    stream.play(new Int16Array(850).fill(1000), { sampleRate: 8000 }); // 106.25 ms
    const frames = await far.waitFor("media", 2);
    const sizes = frames.map((f) => Buffer.from((f.media as { payload: string }).payload, "base64").length);
    expect(sizes).toEqual([800, 160]);
    far.close();
  });

  test("play() sends at most playAheadMs ahead of real time; the rest waits here", async () => {
    const { far, stream } = await open({ playAheadMs: 100 });
    const before = Date.now();
    stream.play(new Int16Array(8000), { sampleRate: 8000 }); // 1 s
    const elapsed = Date.now() - before;
    // Sent at once: 100 ms worth (5 frames), and a frame more for each 20 ms the call itself took; the rest queued.
    const sent = 1000 - stream.queuedPlaybackMs;
    expect(sent).toBeGreaterThanOrEqual(100);
    expect(sent).toBeLessThanOrEqual(100 + Math.ceil(elapsed / 20) * 20);
    await far.waitFor("media", 5);
    expect(() => stream.play(new Int16Array(100), { sampleRate: 7999.5 })).toThrow(
      expect.objectContaining({ reason: "invalid_audio" }),
    );
    far.close();
  });

  test("a mark resolves played: true when Telnyx returns it, at once when nothing is queued", async () => {
    const { far, stream } = await open({ playAheadMs: 60_000 });
    stream.play(new Int16Array(1600), { sampleRate: 8000 });
    const greeting = stream.mark("greeting");
    const marks = await far.waitFor("mark", 1);
    // The mark went after the audio it follows.
    expect(far.received.map((f) => f.event)).toEqual([...new Array(10).fill("media"), "mark"]);
    expect(marks[0]).toEqual({ event: "mark", mark: { name: "greeting" } });
    far.send({ event: "mark", stream_id: stream.streamId, mark: { name: "greeting" } });
    expect(await within(greeting, 5000, "the mark")).toEqual({ name: "greeting", played: true });
    far.close();
  });

  test("clear() drops queued audio, sends clear, settles pending marks; a stale return settles nothing new", async () => {
    const { far, stream } = await open({ playAheadMs: 100 });
    stream.play(new Int16Array(16000), { sampleRate: 8000 }); // 2 s, 100 ms of it sent
    const queuedMark = stream.mark("end-of-greeting");
    await far.waitFor("media", 5);
    // Sent so far: 100 ms ahead of real time, plus what real time has played since (the pump keeps going).
    const sentAtClear = (2000 - stream.queuedPlaybackMs) / 20;
    expect(sentAtClear).toBeGreaterThanOrEqual(5);
    expect(sentAtClear).toBeLessThan(100);
    stream.clear();
    expect(await within(queuedMark, 1000, "the queued mark")).toEqual({ name: "end-of-greeting", played: false });
    expect(stream.queuedPlaybackMs).toBe(0);
    await far.waitFor("clear", 1);

    // A mark sent before clear() comes back from Telnyx after it: it must not settle a newer mark of that name.
    const sent = stream.mark("turn");
    await far.waitFor("mark", 1);
    stream.clear();
    expect(await sent).toEqual({ name: "turn", played: false });
    const again = stream.mark("turn");
    await far.waitFor("mark", 2);
    far.send({ event: "mark", stream_id: stream.streamId, mark: { name: "turn" } }); // the stale return
    far.send({ event: "mark", stream_id: stream.streamId, mark: { name: "turn" } }); // the new one's
    expect(await within(again, 5000, "the new mark")).toEqual({ name: "turn", played: true });

    // Nothing of the dropped audio went out after clear: the frames the far side has are those before it.
    // (The far side has had the marks sent after clear, so every earlier frame has arrived: one socket, in order.)
    expect(far.received.filter((f) => f.event === "media").length).toBe(sentAtClear);
    far.close();
  });

  test("the stream's end settles pending marks with played: false", async () => {
    const { far, stream } = await open({ playAheadMs: 60_000 });
    stream.play(new Int16Array(800), { sampleRate: 8000 });
    const pending = stream.mark("never-returned");
    await far.waitFor("mark", 1);
    far.send({ event: "stop", stream_id: stream.streamId });
    expect(await within(pending, 5000, "the mark")).toEqual({ name: "never-returned", played: false });
  });
});

describe("bounded memory", () => {
  test("a reader that stops reading is told (slow_consumer) and let go, not buffered for ever", async () => {
    const { far, stream } = await open();
    const errors: MediaStreamError[] = [];
    stream.on("error", (e) => errors.push(e));
    const stalled = stream.audio({ maxBufferedMs: 100 });
    const dropping = stream.audio({ maxBufferedMs: 100, onOverflow: "drop" });
    const reading = stream.audio();
    for (let n = 1; n <= 20; n++) far.send(mediaFrame(n, marked(n)));
    await read(reading, 20); // the stream itself went on for the reader that reads
    expect(errors.map((e) => e.reason)).toEqual(["slow_consumer"]);
    expect(errors[0]?.message).toContain("maxBufferedMs");
    await expect(stalled.next()).rejects.toMatchObject({ reason: "slow_consumer" });
    expect(await stalled.next()).toEqual({ value: undefined, done: true });
    // The dropping reader kept the newest 100 ms and says how much it skipped before them.
    const kept: AudioChunk[] = [];
    for (let i = 0; i < 5; i++) kept.push((await dropping.next()).value as AudioChunk);
    expect(kept.map((c) => c.chunk)).toEqual([16, 17, 18, 19, 20]);
    expect(kept[0]?.droppedBefore).toBe(15);
    far.close();
  });

  test("mark() refuses more than 1024 pending marks", async () => {
    const { far, stream } = await open({ playAheadMs: 0 });
    stream.play(new Int16Array(800), { sampleRate: 8000 });
    const pending = Array.from({ length: 1024 }, (_, i) => stream.mark(`m${i}`));
    expect(() => stream.mark("one too many")).toThrow(expect.objectContaining({ reason: "invalid_option" }));
    stream.clear();
    expect((await Promise.all(pending)).every((m) => !m.played)).toBe(true);
    far.close();
  });

  test("play() refuses more than maxQueuedPlaybackMs queued here", async () => {
    const { far, stream } = await open({ playAheadMs: 0, maxQueuedPlaybackMs: 1000 });
    stream.play(new Int16Array(7200), { sampleRate: 8000 }); // 900 ms
    expect(() => stream.play(new Int16Array(1600), { sampleRate: 8000 })).toThrow(
      expect.objectContaining({ reason: "invalid_audio", message: expect.stringContaining("maxQueuedPlaybackMs") }),
    );
    far.close();
  });
});

test("50 concurrent streams each get their own call's audio", async () => {
  server = await mediaServer();
  const results = new Map<string, number[]>();
  const done: Promise<void>[] = [];
  server.media.handle((stream) => {
    done.push(
      (async () => {
        const firsts: number[] = [];
        for await (const chunk of stream.audio()) if (chunk.kind === "pcm") firsts.push(chunk.samples[0] as number);
        results.set(stream.callControlId, firsts);
      })(),
    );
  });
  const fars = await Promise.all(Array.from({ length: 50 }, () => FakeTelnyx.open((server as MediaServer).url)));
  for (const [i, far] of fars.entries()) await far.begin({ streamId: `stream-${i}`, callControlId: `v3:call-${i}` });
  const media = (server as MediaServer).media;
  const streams = await Promise.all(fars.map((_, i) => media.streamFor(`v3:call-${i}`, { timeoutMs: 5000 })));
  expect(new Set(streams).size).toBe(50);
  // Each call's frames carry its own byte, interleaved across the sockets.
  for (let n = 1; n <= 5; n++) for (const [i, far] of fars.entries()) far.send(mediaFrame(n, marked(i + 1)));
  for (const far of fars) far.send({ event: "stop" });
  await within(Promise.all(streams.map((s) => s.ended)), 10_000, "every stream's end");
  await within(Promise.all(done), 5000, "every reader");
  const { ULAW_TO_PCM } = await import("../src/codecs/index.js");
  for (let i = 0; i < 50; i++) expect(results.get(`v3:call-${i}`)).toEqual(new Array(5).fill(ULAW_TO_PCM[i + 1]));
  expect(server.errors).toEqual([]);
  for (const far of fars) far.close();
});
