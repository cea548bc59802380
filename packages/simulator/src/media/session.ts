// One media stream as Telnyx speaks it to the app ([asyncapi] in spec/media-stream.yaml): `connected` (with the
// auth token when one is set), `start`, then a `media` frame every 20 ms per track asked for (what the far end
// says, silence otherwise; what the app plays, on the outbound track), `dtmf` for each key pressed, `mark` when
// the audio before it has played, `stop` at the end. The app's frames (rtp mode) are decoded and played at
// real-time pace into what the far end hears. Everything queued has a bound; a bad frame gets an `error` frame.
import type {
  ConnectedFrame,
  DtmfFrame,
  ErrorFrame,
  MarkFrame,
  MediaFrame,
  StartFrame,
  StopFrame,
} from "@telnyx-voice/media";
import { decodePayload, encodePayload, Resampler, resample } from "@telnyx-voice/media/codecs";
import type { StreamSettings } from "../calls/media-settings.js";
import type { StreamSocket } from "../calls/stream-socket.js";
import type { CallRecord } from "../calls/types.js";
import { FRAME_MS, MAX_CATCH_UP_FRAMES, type MediaClock } from "./clock.js";
import { MAX_SPEECH_QUEUED_MS } from "./far-end-audio.js";
import { frameSamples, type PcmFormat, playbackFormat, streamedFormat } from "./format.js";
import type { Heard } from "./heard.js";
import { FrameNetwork, type NetworkTimers } from "./network.js";
import type { ResolvedMediaDelivery } from "./options.js";
import { PlayQueue, SampleQueue } from "./queues.js";

/** The most of the app's audio a stream queues for playing: two of the longest chunks Telnyx takes (30 s). */
export const MAX_PLAY_QUEUED_MS = 60_000;
/** The most marks a stream holds waiting for their audio to play. */
export const MAX_QUEUED_MARKS = 1024;
/** Past this much unsent in the socket (an app that does not read), media frames are dropped, as a network would. */
export const MAX_SOCKET_BUFFER_BYTES = 1024 * 1024;
/** Past four times that, every frame is dropped (marks echoed and error frames answer what the app sends). */
const MAX_SOCKET_BUFFER_ANY = 4 * MAX_SOCKET_BUFFER_BYTES;
/** The longest mark name kept: Telnyx names none; 1024 marks of it stay within 1 MiB per stream. */
export const MAX_MARK_NAME = 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface SessionContext {
  timers: NetworkTimers;
  clock: MediaClock;
  delivery: ResolvedMediaDelivery;
  /** The call's record of what its far end heard. */
  heard: Heard;
  warn(message: string): void;
}

/** What a stream did, for tests and the README's figures. */
export interface MediaSessionStats {
  mediaFramesSent: number;
  /** Media frames not sent because the app's socket had MAX_SOCKET_BUFFER_BYTES unsent. */
  mediaFramesDropped: number;
  /** Other frames not sent because it had four times that unsent. */
  framesDropped: number;
  errorFramesSent: number;
  /** Media frames of the app in mp3 mode, or in a codec the simulator cannot decode: not heard. */
  framesNotDecoded: number;
}

type Track = "inbound" | "outbound";

export class MediaSession {
  readonly format: PcmFormat;
  readonly play: PcmFormat | undefined;
  readonly stats: MediaSessionStats = {
    mediaFramesSent: 0,
    mediaFramesDropped: 0,
    framesDropped: 0,
    errorFramesSent: 0,
    framesNotDecoded: 0,
  };
  readonly #call: CallRecord;
  readonly #streamId: string;
  readonly #settings: StreamSettings;
  readonly #context: SessionContext;
  readonly #network: FrameNetwork;
  readonly #tracks: { inbound: boolean; outbound: boolean };
  readonly #speech = new SampleQueue();
  readonly #playing = new PlayQueue();
  readonly #silence = new Map<number, string>();
  #outbound: Resampler | undefined;
  #socket: StreamSocket | undefined;
  #state: "waiting" | "open" | "ended" = "waiting";
  #sequence = 0;
  readonly #chunks = { inbound: 0, outbound: 0 };
  #mediaFrames = 0;
  #startAt = 0;
  #ticks = 0;
  readonly #warned = new Set<string>();

  constructor(
    call: CallRecord,
    streamId: string,
    streamIndex: number,
    settings: StreamSettings,
    context: SessionContext,
  ) {
    this.#call = call;
    this.#streamId = streamId;
    this.#settings = settings;
    this.#context = context;
    const streamed = streamedFormat(settings);
    this.format = streamed.format;
    if (streamed.fellBack) {
      this.#warnOnce(
        "codec",
        `stream_codec ${settings.codec} is not encoded by the simulator: the stream carries the call's codec (${this.format.codec}), as Telnyx does when it cannot transcode.`,
      );
    }
    this.play = settings.bidirectionalMode === "rtp" ? playbackFormat(settings) : undefined;
    this.#tracks = {
      inbound: settings.track !== "outbound_track",
      outbound: settings.track !== "inbound_track",
    };
    this.#network = new FrameNetwork(context.delivery, streamIndex, (text) => this.#write(text), context.timers);
  }

  /** The socket is open: `connected`, `start`, then media every 20 ms. */
  begin(socket: StreamSocket): void {
    if (this.#state !== "waiting") return;
    this.#socket = socket;
    this.#state = "open";
    const connected: ConnectedFrame = { event: "connected", version: "1.0.0" };
    if (this.#settings.authToken !== undefined) {
      connected.connected = { "x-telnyx-streaming-auth-token": this.#settings.authToken };
    }
    this.#send(connected);
    const call = this.#call;
    const start: StartFrame = {
      event: "start",
      sequence_number: String(++this.#sequence),
      stream_id: this.#streamId,
      start: {
        call_control_id: call.callControlId,
        call_session_id: call.callSessionId,
        from: call.from,
        to: call.to,
        media_format: { encoding: this.format.codec, sample_rate: this.format.sampleRate, channels: 1 },
      },
    };
    const clientState = this.#settings.clientState ?? call.clientState;
    if (clientState !== undefined) start.start.client_state = clientState;
    if (this.#settings.customParameters) start.start.custom_parameters = this.#settings.customParameters;
    this.#send(start);
    this.#startAt = this.#context.clock.add(this);
  }

  /** The far end says `pcm` (at `sampleRate`): queued, and sent on the inbound track from the next frame on. */
  say(pcm: Int16Array, sampleRate: number): void {
    const samples =
      sampleRate === this.format.sampleRate ? pcm.slice() : resample(pcm, sampleRate, this.format.sampleRate);
    this.#speech.push(samples);
  }

  /** Milliseconds of room left in the speech queue once `ms` more is queued: negative past its bound. */
  speechRoom(ms: number): number {
    return MAX_SPEECH_QUEUED_MS - (this.#speech.length * 1000) / this.format.sampleRate - ms;
  }

  dtmf(digit: string): void {
    if (this.#state !== "open") return;
    const frame: DtmfFrame = {
      event: "dtmf",
      sequence_number: String(++this.#sequence),
      stream_id: this.#streamId,
      dtmf: { digit },
    };
    this.#send(frame);
  }

  /** The clock: sends the frames due by `now`. */
  tick(now: number): void {
    if (this.#state !== "open") return;
    const due = Math.floor((now - this.#startAt + 1) / FRAME_MS);
    if (due - this.#ticks > MAX_CATCH_UP_FRAMES) this.#ticks = due - MAX_CATCH_UP_FRAMES;
    while (this.#ticks < due && this.#state === "open") {
      this.#ticks++;
      this.#frame();
    }
  }

  /** streaming_stop or the hangup: what is still on its way goes, then `stop`, then a clean close. */
  stop(): void {
    if (this.#state !== "open") {
      this.#end();
      this.#socket?.terminate();
      return;
    }
    this.#network.flush();
    const frame: StopFrame = {
      event: "stop",
      sequence_number: String(++this.#sequence),
      stream_id: this.#streamId,
      stop: { call_control_id: this.#call.callControlId },
    };
    this.#send(frame);
    this.#end();
    this.#socket?.close();
  }

  /** The socket closed (by the app's server, or it failed): nothing more is sent. */
  closed(): void {
    this.#end();
  }

  /** A frame from the app. */
  receive(text: string, binary: boolean): void {
    if (this.#state !== "open") return;
    if (binary) {
      this.#error(
        "binary frame",
        "Telnyx's media frames are JSON text: send { event: 'media', media: { payload: base64 } } as text.",
      );
      return;
    }
    let frame: { event?: unknown; media?: { payload?: unknown }; mark?: { name?: unknown } };
    try {
      frame = JSON.parse(text);
    } catch {
      this.#error("malformed frame", `Not JSON: ${text.slice(0, 60)}`);
      return;
    }
    if (frame === null || typeof frame !== "object") {
      this.#error("malformed frame", "A frame is a JSON object with an event field.");
      return;
    }
    switch (frame.event) {
      case "media":
        this.#media(frame.media?.payload);
        return;
      case "mark":
        this.#mark(frame.mark?.name);
        return;
      case "clear":
        for (const name of this.#playing.clear()) this.#markBack(name);
        return;
      default:
        this.#error(
          "unknown event",
          `The app may send media, mark and clear frames; got event ${JSON.stringify(frame.event)}.`,
        );
    }
  }

  #media(payload: unknown): void {
    if (typeof payload !== "string" || payload === "" || !BASE64.test(payload)) {
      this.#error(
        "invalid media",
        "media.payload must be a non-empty base64 string (an RTP payload, or an MP3 file in mp3 mode).",
      );
      return;
    }
    const play = this.play;
    if (!play) {
      this.stats.framesNotDecoded++;
      const why =
        this.#settings.bidirectionalMode === "mp3"
          ? 'the stream is in mp3 mode (stream_bidirectional_mode was not "rtp"): MP3 playback is not simulated'
          : `stream_bidirectional_codec ${this.#settings.bidirectionalCodec} is not decoded by the simulator`;
      this.#warnOnce("undecoded", `media frames from the app are not played to the far end: ${why}.`);
      return;
    }
    const samples = decodePayload(play.codec, Buffer.from(payload, "base64"));
    const queuedMs = ((this.#playing.queuedSamples + samples.length) * 1000) / play.sampleRate;
    if (queuedMs > MAX_PLAY_QUEUED_MS) {
      this.#error(
        "playback queue full",
        `${Math.round(queuedMs)} ms would be queued, more than ${MAX_PLAY_QUEUED_MS}: send audio at the pace it plays (marks tell when it has).`,
      );
      return;
    }
    this.#playing.push(samples);
  }

  #mark(name: unknown): void {
    if (typeof name !== "string" || name.length > MAX_MARK_NAME) {
      this.#error("invalid mark", `mark.name must be a string of at most ${MAX_MARK_NAME} characters.`);
      return;
    }
    if (this.#playing.queuedMarks >= MAX_QUEUED_MARKS) {
      this.#error("too many marks", `${MAX_QUEUED_MARKS} marks are already waiting for their audio to play.`);
      return;
    }
    if (!this.#playing.mark(name)) this.#markBack(name);
  }

  #markBack(name: string): void {
    const frame: MarkFrame = {
      event: "mark",
      sequence_number: String(++this.#sequence),
      stream_id: this.#streamId,
      mark: { name },
    };
    this.#send(frame);
  }

  #error(title: string, detail: string): void {
    this.stats.errorFramesSent++;
    const frame: ErrorFrame = {
      event: "error",
      sequence_number: String(++this.#sequence),
      stream_id: this.#streamId,
      payload: { title, detail },
    };
    this.#send(frame);
  }

  /** One 20 ms frame: what the far end says (inbound), what it hears of the app (outbound), marks now played. */
  #frame(): void {
    const n = frameSamples(this.format.sampleRate);
    const said = this.#speech.take(n);
    if (this.#tracks.inbound) this.#sendMedia("inbound", said, n);
    const play = this.play;
    if (!play) {
      if (this.#tracks.outbound) this.#sendMedia("outbound", new Int16Array(0), n);
      return;
    }
    const m = frameSamples(play.sampleRate);
    const played = this.#playing.play(m);
    this.#context.heard.append(played.samples, play.sampleRate);
    if (this.#tracks.outbound) {
      let out = played.samples;
      if (play.sampleRate !== this.format.sampleRate) {
        const full = new Int16Array(m);
        full.set(played.samples);
        this.#outbound ??= new Resampler(play.sampleRate, this.format.sampleRate);
        out = this.#outbound.push(full);
      }
      this.#sendMedia("outbound", out, n);
    }
    for (const name of played.marks) this.#markBack(name);
  }

  #sendMedia(track: Track, samples: Int16Array, n: number): void {
    const chunk = ++this.#chunks[track];
    let payload: string;
    if (samples.length === 0) payload = this.#silent(n);
    else {
      let full = samples;
      if (samples.length !== n) {
        full = new Int16Array(n);
        full.set(samples.subarray(0, n));
      }
      payload = Buffer.from(encodePayload(this.format.codec, full)).toString("base64");
    }
    const frame: MediaFrame = {
      event: "media",
      sequence_number: String(++this.#sequence),
      stream_id: this.#streamId,
      media: { track, chunk: String(chunk), timestamp: String((chunk - 1) * FRAME_MS), payload },
    };
    this.stats.mediaFramesSent++;
    this.#network.send(JSON.stringify(frame), ++this.#mediaFrames);
  }

  #silent(n: number): string {
    let payload = this.#silence.get(n);
    if (payload === undefined) {
      payload = Buffer.from(encodePayload(this.format.codec, new Int16Array(n))).toString("base64");
      this.#silence.set(n, payload);
    }
    return payload;
  }

  #send(frame: object): void {
    const socket = this.#socket;
    if (!socket) return;
    if (socket.bufferedAmount > MAX_SOCKET_BUFFER_ANY) {
      this.stats.framesDropped++;
      this.#warnOnce("slow-any", `the app is not reading stream ${this.#streamId}: frames of every kind are dropped.`);
      return;
    }
    socket.send(JSON.stringify(frame));
  }

  /** A media frame leaving the network: dropped when the app has left MAX_SOCKET_BUFFER_BYTES unread. */
  #write(text: string): void {
    const socket = this.#socket;
    if (!socket || this.#state !== "open") return;
    if (socket.bufferedAmount > MAX_SOCKET_BUFFER_BYTES) {
      this.stats.mediaFramesDropped++;
      this.#warnOnce(
        "slow",
        `the app is not reading stream ${this.#streamId}: ${MAX_SOCKET_BUFFER_BYTES} bytes unsent, media frames are dropped until it reads.`,
      );
      return;
    }
    socket.send(text);
  }

  #end(): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    this.#network.drop();
    this.#context.clock.delete(this);
    this.#speech.clear();
    this.#playing.clear();
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#context.warn(`[telnyx-voice-simulator] ${message} (Said once per stream.)`);
  }
}
