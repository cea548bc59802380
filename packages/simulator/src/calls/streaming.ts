// Media streams of calls (dial/answer `stream_url`, streaming_start), as Telnyx runs them: it opens a WebSocket to
// the app's URL and says how that went with a webhook. `streaming.started` when the socket opens; `streaming.failed`
// when it cannot (refused, unreachable, an answer other than 101, not a ws:// or wss:// URL, no handshake within
// `streamConnectTimeoutMs`); `streaming.stopped` on streaming_stop, on the call's hangup, or when the app's server
// closes the socket. Each stream ends with exactly one of `streaming.failed` or `streaming.stopped`. Once open,
// the stream speaks Telnyx's protocol (media/session.ts); the far end's audio goes through here (`say`, `heard`).
import { MediaClock } from "../media/clock.js";
import { checkAudio, FarEndAudioRefused, MAX_SPEECH_QUEUED_MS } from "../media/far-end-audio.js";
import { Heard, HeardBudget, type ReceivedAudio } from "../media/heard.js";
import type { ResolvedMediaDelivery } from "../media/options.js";
import { MediaSession } from "../media/session.js";
import { uuid } from "./ids.js";
import type { StreamSettings } from "./media-settings.js";
import type { StreamConnector, StreamSocket } from "./stream-socket.js";
import type { ActiveStream, CallRecord, Timer } from "./types.js";

/** What streams need from the engine: its events and its timers (cancelled on stop()). */
export interface StreamHost {
  emit(
    call: CallRecord,
    eventType: "streaming.started" | "streaming.stopped" | "streaming.failed",
    extra: object,
  ): void;
  after(ms: number, fn: () => void): Timer | undefined;
  cancel(timer: Timer | undefined): void;
}

/** The only `failure_reason` Telnyx documents (its `streaming.failed` example); the detail goes to the log. */
export const STREAM_FAILURE_REASON = "connection_failed";

function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "it is not a URL";
  }
  return parsed.protocol === "ws:" || parsed.protocol === "wss:"
    ? undefined
    : `it is a ${parsed.protocol} URL, not ws(s)`;
}

export class Streams {
  /** Every socket not yet closed for good, so stop() can drop them. */
  private readonly sockets = new Set<StreamSocket>();
  private readonly warned = new Set<string>();
  private stopped = false;
  private readonly clock: MediaClock;
  /** Streams started so far: each one's index seeds its media delivery choices. */
  private started = 0;
  private readonly heardBudget = new HeardBudget();

  constructor(
    private readonly host: StreamHost,
    private readonly connectTimeoutMs: number,
    private readonly connector: StreamConnector,
    private readonly warn: (message: string) => void,
    private readonly delivery: ResolvedMediaDelivery,
  ) {
    this.clock = new MediaClock(host);
  }

  /** Starts connecting; the outcome comes as a webhook. Returns the stream id. */
  start(call: CallRecord, settings: StreamSettings): string {
    const id = uuid();
    call.heard ??= new Heard(this.heardBudget);
    const session = new MediaSession(call, id, this.started++, settings, {
      timers: this.host,
      clock: this.clock,
      delivery: this.delivery,
      heard: call.heard,
      warn: this.warn,
    });
    const stream: ActiveStream = { id, settings, state: "connecting", socket: undefined, timer: undefined, session };
    call.streams.set(stream.id, stream);
    // A scripted far end's first words go to the first stream, from its first frame.
    if (call.says) session.say(call.says.pcm, call.says.sampleRate);
    call.says = undefined;
    const problem = urlProblem(settings.url);
    if (problem) {
      // Failed as Telnyx fails it, after the command's response: the URL is only tried once the stream starts.
      stream.timer = this.host.after(0, () => this.fail(call, stream, problem));
      return stream.id;
    }
    const headers: Record<string, string> = {};
    if (settings.authToken !== undefined) headers["x-telnyx-streaming-auth-token"] = settings.authToken;
    let socket: StreamSocket;
    try {
      socket = this.connector(settings.url, headers, {
        open: () => this.opened(call, stream),
        fail: (reason) => this.fail(call, stream, reason),
        message: (text, binary) => session.receive(text, binary),
        closed: () => {
          this.sockets.delete(socket);
          session.closed();
          this.closedByServer(call, stream);
        },
      });
    } catch (error) {
      // A URL the client refuses outright (ws throws for some): a failed stream all the same.
      const reason = error instanceof Error ? error.message : String(error);
      stream.timer = this.host.after(0, () => this.fail(call, stream, reason));
      return stream.id;
    }
    stream.socket = socket;
    this.sockets.add(socket);
    stream.timer = this.host.after(this.connectTimeoutMs, () =>
      this.fail(call, stream, `no WebSocket handshake within ${this.connectTimeoutMs} ms`),
    );
    return stream.id;
  }

  /** streaming_stop with a `stream_id`, or each stream of the call (without one, and at hangup). */
  stop(call: CallRecord, streamId?: string): void {
    const streams = streamId === undefined ? [...call.streams.values()] : [call.streams.get(streamId)];
    for (const stream of streams) {
      if (!stream || !this.detach(call, stream)) continue;
      // An open stream ends with Telnyx's `stop` frame and a clean close; an attempt is dropped.
      stream.session.stop();
      if (stream.state !== "open") stream.socket?.terminate();
      this.host.emit(call, "streaming.stopped", { stream_url: stream.settings.url });
    }
  }

  /** The far end says `pcm`: every stream of the call (open, or still connecting) sends it from its next frame. */
  say(call: CallRecord, pcm: Int16Array, options: { sampleRate: number }): number {
    const sampleRate = checkAudio(pcm, options);
    if (call.state === "ended") {
      throw new FarEndAudioRefused("call_ended", `Call ${call.callControlId} has ended; its far end cannot speak.`);
    }
    const streams = [...call.streams.values()];
    if (streams.length === 0) {
      throw new FarEndAudioRefused(
        "no_stream",
        `Call ${call.callControlId} has no media stream to carry the audio: start one (stream_url on dial or answer, ` +
          "or streaming_start) before the far end speaks.",
      );
    }
    const ms = (pcm.length * 1000) / sampleRate;
    for (const { session } of streams) {
      if (session.speechRoom(ms) < 0) {
        throw new FarEndAudioRefused(
          "too_much_queued",
          `Call ${call.callControlId} would hold more than ${MAX_SPEECH_QUEUED_MS} ms of far-end audio not yet sent: ` +
            "it is sent in real time, so send the next part once the earlier one has been (or in smaller parts, later).",
        );
      }
    }
    for (const { session } of streams) session.say(pcm, sampleRate);
    return ms;
  }

  /** What the far end heard of the app's streams on this call. */
  heard(call: CallRecord, sampleRate?: number): ReceivedAudio {
    if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 192000)) {
      throw new RangeError(
        `receivedAudio({ sampleRate }): an integer from 1000 to 192000 Hz, got ${String(sampleRate)}`,
      );
    }
    return call.heard
      ? call.heard.read(sampleRate)
      : { pcm: new Int16Array(0), sampleRate: sampleRate ?? 8000, ms: 0, droppedMs: 0 };
  }

  /** The call is forgotten: what its far end heard goes with it. */
  forget(call: CallRecord): void {
    call.heard?.release();
    call.heard = undefined;
  }

  /** A key the far end pressed: a `dtmf` frame on each open stream of the call. */
  dtmf(call: CallRecord, digit: string): void {
    for (const { session } of call.streams.values()) session.dtmf(digit);
  }

  /** sim.stop(): every socket is dropped, and nothing more is reported. */
  closeAll(): void {
    this.stopped = true;
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
  }

  /** Removes a stream that is still the call's; false when it already ended (stopped, failed). */
  private detach(call: CallRecord, stream: ActiveStream): boolean {
    if (call.streams.get(stream.id) !== stream) return false;
    call.streams.delete(stream.id);
    this.host.cancel(stream.timer);
    stream.timer = undefined;
    return true;
  }

  private opened(call: CallRecord, stream: ActiveStream): void {
    if (this.stopped || call.streams.get(stream.id) !== stream) {
      // Opened after the stream was given up (timed out, stopped): nobody wants it.
      stream.socket?.terminate();
      return;
    }
    stream.state = "open";
    this.host.cancel(stream.timer);
    stream.timer = undefined;
    this.host.emit(call, "streaming.started", { stream_url: stream.settings.url });
    if (stream.socket) stream.session.begin(stream.socket);
  }

  private fail(call: CallRecord, stream: ActiveStream, reason: string): void {
    if (this.stopped || !this.detach(call, stream)) return;
    stream.session.closed();
    stream.socket?.terminate();
    const { url, track } = stream.settings;
    this.host.emit(call, "streaming.failed", {
      failure_reason: STREAM_FAILURE_REASON,
      stream_id: stream.id,
      stream_type: "websocket",
      stream_params: { stream_url: url, track },
    });
    if (!this.warned.has(url)) {
      this.warned.add(url);
      this.warn(
        `[telnyx-voice-simulator] media stream to ${url} failed (${reason}): streaming.failed sent. (Said once per URL.)`,
      );
    }
  }

  /** The app's server closed an open stream (or the connection dropped): the stream has stopped. */
  private closedByServer(call: CallRecord, stream: ActiveStream): void {
    if (this.stopped || stream.state !== "open" || !this.detach(call, stream)) return;
    this.host.emit(call, "streaming.stopped", { stream_url: stream.settings.url });
  }
}
