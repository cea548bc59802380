// One state machine per call leg: initiated -> answered (-> bridged) -> ended -> forgotten. Every transition emits
// the webhook(s) Telnyx would send, in the order Telnyx sends them; the dispatcher delivers them. Invariants (the
// model-based test checks them after every step): a bridged call's peer is alive and bridged back to it; a call
// that ends unbridges its peer; a call's `transferLeg` is a leg still ringing whose `transferOf` is that call.
// Recordings, media streams and answering machine detection live in their own modules, driven from here.
import type { CallEventType } from "@telnyx-voice/types";
import type { FarEndSpeech } from "../media/far-end-audio.js";
import { type ResolvedMediaDelivery, resolveMediaDelivery } from "../media/options.js";
import { payloadProperties } from "../schema/events.js";
import { checkRoomForDigits, DigitsRefused, digitsProblem } from "./digits.js";
import { FarEnds } from "./far-ends.js";
import { EventClock, newCallControlId, uuid } from "./ids.js";
import { startMachineDetection } from "./machine-detection.js";
import type { OnAnswer } from "./media-settings.js";
import { outcomeFor } from "./outcomes.js";
import { Recordings } from "./recording.js";
import { realTimers } from "./scheduler.js";
import { connectWebSocket, type StreamConnector } from "./stream-socket.js";
import { Streams } from "./streaming.js";
import type {
  CallDirection,
  Playing,
  CallRecord,
  EmittedEvent,
  GatherState,
  HangupCause,
  Scheduler,
  SimCall,
  Timer,
} from "./types.js";
import { eventPayloadBase } from "./wire.js";

export interface EngineTiming {
  /** Ring time before an outbound call is answered (or turned down by the outcome rule). */
  answerDelayMs: number;
  /** How long a speak or a playback lasts before its `ended` event. */
  mediaDurationMs: number;
  /** Longest a gather waits for digits nobody has scripted; the request's `timeout_millis` is capped by it. */
  maxGatherWaitMs: number;
  /** An inbound call nobody answers is cancelled by the caller after this long. */
  inboundRingTimeoutMs: number;
  /** An ended call (and what hangs off it) is forgotten this long after it ended. */
  endedCallRetentionMs: number;
  /** From the answer until answering machine detection decides (see machine-detection.ts). */
  machineDetectionMs: number;
  /** An answering machine's greeting goes on this long after the detection, then it beeps. */
  machineGreetingMs: number;
  /** From the end of a recording to its `call.recording.saved` (or error), and on to its transcription. */
  recordingSavedDelayMs: number;
  /** Longest a media stream's WebSocket handshake may take before `streaming.failed`. */
  streamConnectTimeoutMs: number;
}

/** `record: "record-from-answer"` with nothing else said: the spec's defaults (dual channel, mp3, no limits). */

/** Telnyx's default and maximum `time_limit_secs`: no call lasts longer than 4 hours. */
export const DEFAULT_TIME_LIMIT_SECS = 14400;

export interface NewCall {
  direction: CallDirection;
  from: string;
  to: string;
  connectionId: string;
  webhookUrl: string | undefined;
  eventUrls?: Map<string, string>;
  retryPolicies?: Map<string, number[]>;
  clientState?: string | undefined;
  callSessionId?: string;
  /** Digits the far end presses at the first gather(s). */
  digits?: string;
  /** What the far end says once the call's first media stream starts. */
  says?: FarEndSpeech | undefined;
  /** What starts when the far end answers (a dial's `record: "record-from-answer"`, detection, a stream). */
  onAnswer?: OnAnswer | undefined;
  /** `time_limit_secs` (default 4 hours). */
  timeLimitSecs?: number;
}

export interface EngineListeners {
  /** Each event, as it is emitted. */
  onEvent(call: CallRecord, event: EmittedEvent): void;
  /** A call ended `endedCallRetentionMs` ago and is forgotten: drop what hangs off it. */
  onForget?(call: CallRecord): void;
  /** What a user should know (a media stream URL that cannot be connected). */
  warn?(message: string): void;
}

export class CallEngine {
  readonly calls = new Map<string, CallRecord>();
  readonly recordings: Recordings;
  readonly streams: Streams;
  private readonly timers = new Set<Timer>();
  private readonly clock = new EventClock();
  /** What the far ends of the next outbound calls to given numbers will do (`sim.farEnd`). */
  readonly farEnds = new FarEnds();
  private stopped = false;
  /** Lingering timers of all calls, and who waits for them to be done (`sim.idle()`). */
  private lingering = 0;
  private lingerWaiters: Array<() => void> = [];

  constructor(
    private readonly timing: EngineTiming,
    private readonly listeners: EngineListeners,
    private readonly scheduler: Scheduler = realTimers,
    connector: StreamConnector = connectWebSocket,
    mediaDelivery: ResolvedMediaDelivery = resolveMediaDelivery(),
  ) {
    this.recordings = new Recordings(this, timing.recordingSavedDelayMs);
    this.streams = new Streams(
      this,
      timing.streamConnectTimeoutMs,
      connector,
      (m) => listeners.warn?.(m),
      mediaDelivery,
    );
  }

  /** Stops every pending timer and drops every media stream: nothing is emitted after `stop()`. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) this.scheduler.cancel(t);
    this.timers.clear();
    this.streams.closeAll();
    for (const resolve of this.lingerWaiters.splice(0)) resolve();
  }

  /** Resolves once no ended call has anything left to send (a recording being saved). */
  lingeringDone(): Promise<void> {
    if (this.lingering === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.lingerWaiters.push(resolve));
  }

  /** Runs `fn` in `ms`, unless the engine stops first. Every timer goes through here, so stop() can cancel it. */
  after(ms: number, fn: () => void): Timer | undefined {
    // After stop() nothing is scheduled: a retention timer would keep the process alive for minutes.
    if (this.stopped) return undefined;
    const timer = this.scheduler.after(ms, () => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    });
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: Timer | undefined): void {
    if (!timer) return;
    this.scheduler.cancel(timer);
    this.timers.delete(timer);
  }

  /** A timer that ends with the call: its hangup cancels it (answering machine detection, a recording's limits). */
  callTimer(call: CallRecord, ms: number, fn: () => void): Timer | undefined {
    const timer = this.after(ms, () => {
      if (timer) call.timers.delete(timer);
      fn();
    });
    if (timer) call.timers.add(timer);
    return timer;
  }

  cancelCallTimer(call: CallRecord, timer: Timer | undefined): void {
    if (!timer) return;
    call.timers.delete(timer);
    this.cancel(timer);
  }

  /**
   * Work that outlives the call (a recording saved after the hangup): it runs even once the call has ended, the
   * call is not forgotten before it is done, and `sim.idle()` waits for it.
   */
  linger(call: CallRecord, ms: number, fn: () => void): void {
    const timer = this.after(ms, () => {
      call.lingering--;
      this.lingering--;
      fn();
      if (call.lingering === 0 && call.forgetDue) this.forget(call);
      if (this.lingering === 0) for (const resolve of this.lingerWaiters.splice(0)) resolve();
    });
    if (!timer) return;
    call.lingering++;
    this.lingering++;
  }

  // ---- events ----

  /** Builds the event with the common call fields, keeping only the payload fields the spec declares for it. */
  emit(call: CallRecord, eventType: CallEventType, extra: object = {}): void {
    // A socket or a late callback may still report after stop(): nothing is sent then.
    if (this.stopped) return;
    const candidate: Record<string, unknown> = { ...eventPayloadBase(call), ...extra };
    const allowed = payloadProperties(eventType);
    const payload: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(candidate)) {
      if (value !== undefined && allowed.has(key)) payload[key] = value;
    }
    const event: EmittedEvent = {
      data: { record_type: "event", event_type: eventType, id: uuid(), occurred_at: this.clock.next(), payload },
    };
    call.events.push(event);
    this.listeners.onEvent(call, event);
  }

  // ---- lifecycle ----

  /** A new leg; `transferOf` (transfers) is bridged to the new outbound leg when it is answered. */
  create(spec: NewCall, transferOf?: CallRecord): CallRecord {
    const script = spec.direction === "outgoing" ? this.farEnds.take(spec.to) : undefined;
    const call: CallRecord = {
      callControlId: newCallControlId(),
      callLegId: uuid(),
      callSessionId: spec.callSessionId ?? uuid(),
      connectionId: spec.connectionId,
      direction: spec.direction,
      from: spec.from,
      to: spec.to,
      state: "initiated",
      clientState: spec.clientState,
      webhookUrl: spec.webhookUrl,
      eventUrls: spec.eventUrls ?? new Map(),
      retryPolicies: spec.retryPolicies ?? new Map(),
      startTime: new Date().toISOString(),
      answeredAt: undefined,
      endTime: undefined,
      hangupCause: undefined,
      bridgedWith: undefined,
      transferLeg: undefined,
      transferOf: transferOf?.callControlId,
      parkAfterUnbridge: false,
      timeLimitMs: (spec.timeLimitSecs ?? DEFAULT_TIME_LIMIT_SECS) * 1000,
      ringTimer: undefined,
      limitTimer: undefined,
      pendingDigits: spec.digits ?? script?.digits ?? "",
      says: spec.says ?? script?.says,
      typedAhead: "",
      gather: undefined,
      speaking: new Set(),
      playing: new Set(),
      recording: undefined,
      streams: new Map(),
      heard: undefined,
      onAnswer: { ...spec.onAnswer },
      timers: new Set(),
      lingering: 0,
      forgetDue: false,
      commandResults: new Map(),
      events: [],
    };
    this.calls.set(call.callControlId, call);
    if (transferOf) transferOf.transferLeg = call.callControlId;
    // Outbound legs ring at the far end ("bridging"); inbound legs wait parked for answer or reject.
    this.emit(call, "call.initiated", { state: spec.direction === "outgoing" ? "bridging" : "parked" });
    if (spec.direction === "outgoing") this.scheduleOutcome(call);
    else
      call.ringTimer = this.after(this.timing.inboundRingTimeoutMs, () => {
        if (call.state === "initiated") this.end(call, "originator_cancel", "caller", "487");
      });
    return call;
  }

  /** Far end of an outbound leg: answers, or hangs up per the number rule. A transfer's leg is then bridged. */
  private scheduleOutcome(call: CallRecord): void {
    const outcome = outcomeFor(call.to);
    call.ringTimer = this.after(this.timing.answerDelayMs, () => this.farEndAnswers(call, outcome));
  }

  /** The far end of a ringing outbound leg picks up (or turns it down, per the number rule). */
  private farEndAnswers(call: CallRecord, outcome: ReturnType<typeof outcomeFor>): void {
    if (call.state !== "initiated") return;
    if (outcome.kind === "hangup") {
      this.end(call, outcome.cause, "callee", outcome.sipCause);
      return;
    }
    const originator = this.detachTransfer(call);
    this.markAnswered(call);
    this.startOnAnswer(call);
    if (originator && originator.state !== "ended") {
      // An inbound call transferred while still ringing is answered by the transfer.
      if (originator.state === "initiated") this.startAnswerClock(originator);
      this.connect(originator, call);
    }
  }

  /** A transfer leg is no longer ringing (answered or ended): its originator may transfer again. */
  private detachTransfer(leg: CallRecord): CallRecord | undefined {
    const originator = leg.transferOf ? this.calls.get(leg.transferOf) : undefined;
    leg.transferOf = undefined;
    if (originator?.transferLeg === leg.callControlId) originator.transferLeg = undefined;
    return originator;
  }

  /** From answer on, the call's `time_limit_secs` runs: Telnyx hangs it up with `time_limit` when it is over. */
  private startAnswerClock(call: CallRecord): void {
    call.answeredAt = Date.now();
    this.cancel(call.ringTimer);
    call.ringTimer = undefined;
    call.limitTimer = this.after(call.timeLimitMs, () => this.end(call, "time_limit", "unknown"));
  }

  private markAnswered(call: CallRecord): void {
    call.state = "answered";
    this.startAnswerClock(call);
    this.emit(call, "call.answered", { state: "answered" });
  }

  /** The app answers an inbound call; what its answer asked for (recording, stream) starts with it. */
  answer(call: CallRecord, onAnswer: OnAnswer): void {
    call.onAnswer = onAnswer;
    this.markAnswered(call);
    this.startOnAnswer(call);
  }

  /** Once answered: the recording, the media stream and answering machine detection the call asked for. */
  private startOnAnswer(call: CallRecord): void {
    const { recording, stream, machineDetection } = call.onAnswer;
    call.onAnswer = {};
    if (recording) this.recordings.start(call, recording.id, recording.settings);
    if (stream) this.streams.start(call, stream);
    if (machineDetection) startMachineDetection(this, call, machineDetection, this.timing);
  }

  /**
   * Ends the call: media, gathers and streams stop first (their `ended`/`stopped` events), then `call.hangup`;
   * a recording running is saved `recordingSavedDelayMs` after that, as Telnyx saves the file once the call ended.
   */
  end(call: CallRecord, cause: HangupCause, source: "caller" | "callee" | "unknown", sipCause = "200"): void {
    if (call.state === "ended") return;
    this.stopMedia(call, "call_hangup");
    if (call.gather) this.finishGather(call, "call_hangup");
    this.streams.stop(call);
    // Its pending timers hold the call: cancelled, or a 4-hour time limit would keep every ended call in memory.
    for (const t of call.timers) this.cancel(t);
    call.timers.clear();
    call.onAnswer = {};
    this.cancel(call.ringTimer);
    this.cancel(call.limitTimer);
    call.ringTimer = undefined;
    call.limitTimer = undefined;
    const peer = call.bridgedWith ? this.calls.get(call.bridgedWith) : undefined;
    // A transfer leg that ends while ringing frees its originator to transfer again.
    this.detachTransfer(call);
    // A transfer still ringing has no one left to connect to: the caller side cancels it.
    const ringing = call.transferLeg ? this.calls.get(call.transferLeg) : undefined;
    call.transferLeg = undefined;
    if (ringing?.state === "initiated") this.end(ringing, "originator_cancel", "caller", "487");
    call.state = "ended";
    call.hangupCause = cause;
    call.endTime = new Date().toISOString();
    call.bridgedWith = undefined;
    call.parkAfterUnbridge = false;
    this.emit(call, "call.hangup", {
      state: "hangup",
      hangup_cause: cause,
      hangup_source: source,
      sip_hangup_cause: sipCause,
      call_quality_stats: null,
    });
    this.recordings.stop(call);
    // The other leg of a bridge is hung up too, unless its bridge asked to be parked (`park_after_unbridge`).
    if (peer && peer.state !== "ended") {
      const park = peer.parkAfterUnbridge;
      peer.bridgedWith = undefined;
      peer.parkAfterUnbridge = false;
      if (park) peer.state = "answered";
      else this.end(peer, "normal_clearing", "unknown");
    }
    this.after(this.timing.endedCallRetentionMs, () => {
      // What still lingers (a recording being saved) goes out first; the call is forgotten after it.
      if (call.lingering > 0) call.forgetDue = true;
      else this.forget(call);
    });
  }

  /** Drops an ended call: nothing refers to it any more (its peer was unbridged, its transfer leg ended). */
  private forget(call: CallRecord): void {
    this.calls.delete(call.callControlId);
    this.streams.forget(call);
    this.listeners.onForget?.(call);
  }

  // ---- media ----

  speak(call: CallRecord): void {
    this.emit(call, "call.speak.started");
    const timer = this.after(this.timing.mediaDurationMs, () => {
      if (timer) call.speaking.delete(timer);
      this.emit(call, "call.speak.ended", { status: "completed" });
    });
    if (timer) call.speaking.add(timer);
  }

  /** Plays `loops` times (`Infinity`: until stopped or hung up), each `mediaDurationMs` long. */
  playback(call: CallRecord, mediaUrl: string | undefined, onEnded?: () => void, loops = 1): void {
    this.emit(call, "call.playback.started", { media_url: mediaUrl, overlay: false });
    const playing: Playing = { url: mediaUrl, timer: undefined };
    if (Number.isFinite(loops)) {
      playing.timer = this.after(this.timing.mediaDurationMs * loops, () => {
        call.playing.delete(playing);
        this.emit(call, "call.playback.ended", { media_url: mediaUrl, overlay: false, status: "completed" });
        onEnded?.();
      });
      if (!playing.timer) return;
    }
    call.playing.add(playing);
  }

  /**
   * `playback_stop` ends what plays, speech included (the spec says it completes with `call.playback.ended` or
   * `call.speak.ended`). `call.speak.ended`'s `status` has no "stopped" value in the spec: a stopped speak ends
   * `completed`, a stopped playback `cancelled`; with the hangup both end `call_hangup`.
   */
  stopMedia(call: CallRecord, why: "stopped" | "call_hangup" = "stopped"): void {
    for (const t of call.speaking) {
      this.cancel(t);
      this.emit(call, "call.speak.ended", { status: why === "stopped" ? "completed" : why });
    }
    call.speaking.clear();
    for (const { timer, url } of call.playing) {
      this.cancel(timer);
      this.emit(call, "call.playback.ended", {
        media_url: url,
        overlay: false,
        status: why === "stopped" ? "cancelled" : why,
      });
    }
    call.playing.clear();
  }

  // ---- gather and DTMF ----

  startGather(call: CallRecord, gather: Omit<GatherState, "collected" | "timer">, timeoutMillis: number): void {
    if (call.gather) this.finishGather(call, "cancelled");
    call.gather = { ...gather, collected: "", timer: undefined };
    const wait = Math.min(timeoutMillis, this.timing.maxGatherWaitMs);
    const begin = () => {
      const state = call.gather;
      if (!state || call.state === "ended") return;
      state.timer = this.after(wait, () => {
        if (call.gather !== state) return;
        this.finishGather(call, state.collected.length >= state.minimum ? "valid" : "timeout");
      });
      const typed = call.typedAhead;
      const scripted = call.pendingDigits;
      call.typedAhead = "";
      call.pendingDigits = "";
      if (typed) this.enterDigits(call, typed, false);
      if (scripted && call.gather === state) this.enterDigits(call, scripted);
      else if (scripted) call.pendingDigits = scripted;
    };
    // gather_using_audio plays its prompt first; the caller types once it is over.
    if (gather.kind === "gather_using_audio") this.playback(call, undefined, begin);
    else begin();
  }

  /** The far end presses digits: `call.dtmf.received` for each (unless reported when typed ahead), fed to the active gather. */
  enterDigits(call: CallRecord, digits: string, report = true): void {
    for (let i = 0; i < digits.length; i++) {
      const digit = digits[i]!;
      if (report) this.reportDigit(call, digit);
      const g = call.gather;
      if (!g) continue;
      if (digit === g.terminatingDigit) {
        this.finishGather(call, g.collected.length >= g.minimum ? "valid" : "invalid");
      } else if (!g.validDigits.includes(digit)) {
        this.finishGather(call, "invalid");
      } else {
        g.collected += digit;
        if (g.collected.length >= g.maximum) this.finishGather(call, "valid");
      }
      // Digits after the gather ended wait for the next gather, as a caller typing ahead would.
      if (!call.gather && i + 1 < digits.length) {
        if (report) call.pendingDigits += digits.slice(i + 1);
        else call.typedAhead += digits.slice(i + 1);
        return;
      }
    }
  }

  /** A key pressed at the far end: `call.dtmf.received`, and a `dtmf` frame on each open media stream. */
  private reportDigit(call: CallRecord, digit: string): void {
    this.emit(call, "call.dtmf.received", { digit });
    this.streams.dtmf(call, digit);
  }

  finishGather(call: CallRecord, status: "valid" | "invalid" | "call_hangup" | "cancelled" | "timeout"): void {
    const g = call.gather;
    if (!g) return;
    this.cancel(g.timer);
    call.gather = undefined;
    this.emit(call, "call.gather.ended", { digits: g.collected, status, gather_id: g.gatherId });
  }

  /**
   * Far-end key presses: during a gather they are entered now. On an answered call without a gather they are
   * reported now (Telnyx sends call.dtmf.received for any DTMF on the call) and typed ahead into the next gather;
   * on a call still ringing they wait for the next gather.
   */
  pressDigits(call: CallRecord, digits: string): void {
    if (call.state === "ended") {
      throw new DigitsRefused("call_ended", `Call ${call.callControlId} has ended; it cannot press digits`);
    }
    const problem = typeof digits === "string" && digits !== "" ? digitsProblem(digits) : "must be a non-empty string";
    if (problem) throw new DigitsRefused("invalid_digits", `pressDigits(digits): digits ${problem}.`);
    // Counted as if none went to the gather: digits after it ends are kept for the next one.
    checkRoomForDigits(call, digits.length);
    if (call.gather) this.enterDigits(call, digits);
    else if (call.state === "initiated") call.pendingDigits += digits;
    else {
      for (const digit of digits) this.reportDigit(call, digit);
      call.typedAhead += digits;
    }
  }

  // ---- bridging and transfer ----

  /**
   * Connects two answered legs: `call.bridged` on each. The command handlers refuse a bridge when either leg is
   * bridged already or has a transfer ringing, so this holds: a bridged call's peer is alive and bridged back.
   */
  connect(a: CallRecord, b: CallRecord, parkA = false): void {
    if (a.bridgedWith || b.bridgedWith) throw new Error("internal: connect() on a leg that is already bridged");
    a.state = "bridged";
    b.state = "bridged";
    a.bridgedWith = b.callControlId;
    b.bridgedWith = a.callControlId;
    a.parkAfterUnbridge = parkA;
    b.parkAfterUnbridge = false;
    this.emit(a, "call.bridged");
    this.emit(b, "call.bridged");
  }

  /** A new outbound leg to `to`, in the same session; bridged to `call` when the far end answers. */
  transfer(call: CallRecord, spec: Omit<NewCall, "direction" | "callSessionId" | "connectionId">): CallRecord {
    return this.create(
      { ...spec, direction: "outgoing", connectionId: call.connectionId, callSessionId: call.callSessionId },
      call,
    );
  }

  /** The public handle tests get from `sim.calls`. */
  handle(call: CallRecord): SimCall {
    const pressDigits = (digits: string) => this.pressDigits(call, digits);
    const hangup = (cause: HangupCause = "normal_clearing") => this.end(call, cause, "callee");
    return {
      get callControlId() {
        return call.callControlId;
      },
      get callLegId() {
        return call.callLegId;
      },
      get callSessionId() {
        return call.callSessionId;
      },
      get connectionId() {
        return call.connectionId;
      },
      get direction() {
        return call.direction;
      },
      get from() {
        return call.from;
      },
      get to() {
        return call.to;
      },
      get state() {
        return call.state;
      },
      get clientState() {
        return call.clientState;
      },
      get hangupCause() {
        return call.hangupCause;
      },
      get bridgedWith() {
        return call.bridgedWith;
      },
      get eventTypes() {
        return call.events.map((e) => e.data.event_type);
      },
      pressDigits,
      hangup,
      sendAudio: (pcm, options) => this.streams.say(call, pcm, options),
      receivedAudio: (options) => this.streams.heard(call, options?.sampleRate),
    };
  }
}
