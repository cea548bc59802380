// One state machine per call leg: initiated -> answered (-> bridged) -> ended. Every transition emits the
// webhook(s) Telnyx would send, in the order Telnyx sends them; the dispatcher delivers them per call, in order.
import type { CallEventType } from "@telnyx-voice/types";
import { payloadProperties } from "../schema/events.js";
import { newCallControlId, uuid } from "./ids.js";
import { outcomeFor } from "./outcomes.js";
import type { CallDirection, CallRecord, EmittedEvent, GatherState, HangupCause, SimCall } from "./types.js";
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
}

export interface NewCall {
  direction: CallDirection;
  from: string;
  to: string;
  connectionId: string;
  webhookUrl: string | undefined;
  clientState?: string | undefined;
  callSessionId?: string;
  /** Digits the far end presses at the first gather(s). */
  digits?: string;
  /** Dial's `record: "record-from-answer"`: the recording (this id) starts when the far end answers. */
  recordFromAnswer?: string | undefined;
}

type Listener = (call: CallRecord, event: EmittedEvent) => void;

export class CallEngine {
  readonly calls = new Map<string, CallRecord>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly timing: EngineTiming,
    private readonly onEvent: Listener,
  ) {}

  /** Stops every pending timer: nothing is emitted after `stop()`. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private after(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  // ---- events ----

  /** Builds the event with the common call fields, keeping only the payload fields the spec declares for it. */
  emit(call: CallRecord, eventType: CallEventType, extra: Record<string, unknown> = {}): void {
    const candidate: Record<string, unknown> = { ...eventPayloadBase(call), ...extra };
    const allowed = payloadProperties(eventType);
    const payload: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(candidate)) {
      if (value !== undefined && allowed.has(key)) payload[key] = value;
    }
    const event: EmittedEvent = {
      data: { record_type: "event", event_type: eventType, id: uuid(), occurred_at: new Date().toISOString(), payload },
    };
    call.events.push(event);
    this.onEvent(call, event);
  }

  // ---- lifecycle ----

  /** A new leg; `bridgeTo` (transfers) is bridged to the new outbound leg when it is answered. */
  create(spec: NewCall, bridgeTo?: CallRecord): CallRecord {
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
      startTime: new Date().toISOString(),
      answeredAt: undefined,
      endTime: undefined,
      hangupCause: undefined,
      bridgedWith: undefined,
      transferLeg: undefined,
      parkAfterUnbridge: false,
      pendingDigits: spec.digits ?? "",
      gather: undefined,
      speaking: new Set(),
      playing: new Map(),
      recording: undefined,
      commandResults: new Map(),
      events: [],
    };
    this.calls.set(call.callControlId, call);
    // Outbound legs ring at the far end ("bridging"); inbound legs wait parked for answer or reject.
    this.emit(call, "call.initiated", { state: spec.direction === "outgoing" ? "bridging" : "parked" });
    if (spec.direction === "outgoing") this.scheduleOutcome(call, bridgeTo, spec);
    else
      this.after(this.timing.inboundRingTimeoutMs, () => {
        if (call.state === "initiated") this.end(call, "originator_cancel", "caller", "487");
      });
    return call;
  }

  /** Far end of an outbound leg: answers, or hangs up per the number rule. `bridgeTo` is set for transfers. */
  private scheduleOutcome(call: CallRecord, bridgeTo: CallRecord | undefined, spec: NewCall): void {
    const outcome = outcomeFor(call.to);
    this.after(this.timing.answerDelayMs, () => {
      if (call.state !== "initiated") return;
      if (outcome.kind === "hangup") {
        if (bridgeTo) bridgeTo.transferLeg = undefined;
        this.end(call, outcome.cause, "callee", outcome.sipCause);
        return;
      }
      this.markAnswered(call);
      if (spec.recordFromAnswer) this.startRecording(call, spec.recordFromAnswer, "single", "mp3");
      if (bridgeTo) bridgeTo.transferLeg = undefined;
      if (bridgeTo && bridgeTo.state !== "ended") {
        if (bridgeTo.state === "initiated") bridgeTo.answeredAt = Date.now();
        this.connect(bridgeTo, call);
      }
    });
  }

  private markAnswered(call: CallRecord): void {
    call.state = "answered";
    call.answeredAt = Date.now();
    this.emit(call, "call.answered", { state: "answered" });
  }

  answer(call: CallRecord, recordingId: string | undefined): void {
    this.markAnswered(call);
    if (recordingId) this.startRecording(call, recordingId, "single", "mp3");
  }

  /** Ends the call: media and gathers stop first (their `ended` events), then `call.hangup`, then the recording. */
  end(call: CallRecord, cause: HangupCause, source: "caller" | "callee" | "unknown", sipCause = "200"): void {
    if (call.state === "ended") return;
    for (const t of call.speaking) {
      this.cancel(t);
      this.emit(call, "call.speak.ended", { status: "call_hangup" });
    }
    call.speaking.clear();
    for (const [t, url] of call.playing) {
      this.cancel(t);
      this.emit(call, "call.playback.ended", { status: "call_hangup", media_url: url, overlay: false });
    }
    call.playing.clear();
    if (call.gather) this.finishGather(call, "call_hangup");
    const peer = call.bridgedWith ? this.calls.get(call.bridgedWith) : undefined;
    // A transfer still ringing has no one left to connect to: the caller side cancels it.
    const ringing = call.transferLeg ? this.calls.get(call.transferLeg) : undefined;
    call.transferLeg = undefined;
    if (ringing?.state === "initiated") this.end(ringing, "originator_cancel", "caller", "487");
    call.state = "ended";
    call.hangupCause = cause;
    call.endTime = new Date().toISOString();
    call.bridgedWith = undefined;
    this.emit(call, "call.hangup", {
      state: "hangup",
      hangup_cause: cause,
      hangup_source: source,
      sip_hangup_cause: sipCause,
      call_quality_stats: null,
    });
    if (call.recording) this.stopRecording(call);
    // The other leg of a bridge is hung up too, unless its bridge asked to be parked (`park_after_unbridge`).
    if (peer && peer.state !== "ended") {
      peer.bridgedWith = undefined;
      if (peer.parkAfterUnbridge) peer.state = "answered";
      else this.end(peer, "normal_clearing", "unknown");
    }
  }

  // ---- media ----

  speak(call: CallRecord): void {
    this.emit(call, "call.speak.started");
    const timer = this.after(this.timing.mediaDurationMs, () => {
      call.speaking.delete(timer);
      this.emit(call, "call.speak.ended", { status: "completed" });
    });
    call.speaking.add(timer);
  }

  playback(call: CallRecord, mediaUrl: string | undefined, onEnded?: () => void): void {
    this.emit(call, "call.playback.started", { media_url: mediaUrl, overlay: false });
    const timer = this.after(this.timing.mediaDurationMs, () => {
      call.playing.delete(timer);
      this.emit(call, "call.playback.ended", { media_url: mediaUrl, overlay: false, status: "completed" });
      onEnded?.();
    });
    call.playing.set(timer, mediaUrl);
  }

  stopPlayback(call: CallRecord): void {
    for (const [t, url] of call.playing) {
      this.cancel(t);
      this.emit(call, "call.playback.ended", { media_url: url, overlay: false, status: "cancelled" });
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
      const scripted = call.pendingDigits;
      call.pendingDigits = "";
      if (scripted) this.enterDigits(call, scripted);
    };
    // gather_using_audio plays its prompt first; the caller types once it is over.
    if (gather.kind === "gather_using_audio") this.playback(call, undefined, begin);
    else begin();
  }

  /** The far end presses digits: `call.dtmf.received` for each, fed to the active gather. */
  enterDigits(call: CallRecord, digits: string): void {
    for (let i = 0; i < digits.length; i++) {
      const digit = digits[i]!;
      this.emit(call, "call.dtmf.received", { digit });
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
        call.pendingDigits += digits.slice(i + 1);
        return;
      }
    }
  }

  finishGather(call: CallRecord, status: "valid" | "invalid" | "call_hangup" | "cancelled" | "timeout"): void {
    const g = call.gather;
    if (!g) return;
    this.cancel(g.timer);
    call.gather = undefined;
    this.emit(call, "call.gather.ended", { digits: g.collected, status, gather_id: g.gatherId });
  }

  /** Far-end key presses: during a gather they are entered now, otherwise at the next gather. */
  pressDigits(call: CallRecord, digits: string): void {
    if (call.state === "ended") throw new Error(`Call ${call.callControlId} has ended; it cannot press digits`);
    if (!/^[0-9A-D*#]+$/.test(digits)) throw new Error(`Invalid DTMF digits "${digits}": use 0-9, A-D, * and #`);
    if (call.gather) this.enterDigits(call, digits);
    else call.pendingDigits += digits;
  }

  // ---- bridging and transfer ----

  /** Connects two answered legs: `call.bridged` on each, each with its own ids. */
  connect(a: CallRecord, b: CallRecord): void {
    a.state = "bridged";
    b.state = "bridged";
    a.bridgedWith = b.callControlId;
    b.bridgedWith = a.callControlId;
    this.emit(a, "call.bridged");
    this.emit(b, "call.bridged");
  }

  /** A new outbound leg to `to`, in the same session; bridged to `call` when the far end answers. */
  transfer(call: CallRecord, spec: Omit<NewCall, "direction" | "callSessionId" | "connectionId">): CallRecord {
    const leg = this.create(
      { ...spec, direction: "outgoing", connectionId: call.connectionId, callSessionId: call.callSessionId },
      call,
    );
    call.transferLeg = leg.callControlId;
    return leg;
  }

  // ---- recording ----

  startRecording(call: CallRecord, id: string, channels: "single" | "dual", format: "wav" | "mp3"): void {
    call.recording = { id, startedAt: new Date().toISOString(), channels, format };
  }

  stopRecording(call: CallRecord): void {
    const rec = call.recording;
    if (!rec) return;
    call.recording = undefined;
    const url = `https://simulator.invalid/recordings/${rec.id}.${rec.format}`;
    this.emit(call, "call.recording.saved", {
      channels: rec.channels,
      recording_started_at: rec.startedAt,
      recording_ended_at: new Date().toISOString(),
      recording_urls: { [rec.format]: url },
      public_recording_urls: { [rec.format]: url },
    });
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
    };
  }
}
