// The simulator's view of one call leg. `SimCall` is what `sim.calls.get(id)` hands to tests: read-only
// state plus the things a far-end party can do (press digits, hang up).
import type { CallEventType } from "@telnyx-voice/types";
import type { OnAnswer, RecordingSettings, StreamSettings } from "./media-settings.js";
import type { FarEndSpeech } from "../media/far-end-audio.js";
import type { Heard, ReceivedAudio } from "../media/heard.js";
import type { MediaSession } from "../media/session.js";
import type { StreamSocket } from "./stream-socket.js";

export type CallDirection = "incoming" | "outgoing";

/**
 * `initiated`: ringing (outbound: waiting for the far end; inbound: waiting for answer/reject).
 * `answered`: media is up; `bridged` is answered and connected to `bridgedWith`; `ended` is final.
 */
export type CallState = "initiated" | "answered" | "bridged" | "ended";

export type HangupCause =
  | "call_rejected"
  | "normal_clearing"
  | "originator_cancel"
  | "timeout"
  | "time_limit"
  | "user_busy"
  | "not_found"
  | "no_answer"
  | "unspecified";

/** A pending timer of the engine's scheduler (opaque). */
export type Timer = { readonly __brand: "Timer" };

/** What the engine waits with: real timers, or a manual clock in tests that step time themselves. */
export interface Scheduler {
  after(ms: number, fn: () => void): Timer;
  cancel(timer: Timer): void;
}

/** An event the simulator emitted for a call, before delivery metadata is added. */
export interface EmittedEvent {
  data: {
    record_type: "event";
    event_type: CallEventType;
    id: string;
    occurred_at: string;
    payload: Record<string, unknown>;
  };
}

/** A playback: its URL, and the timer of its end (none while it loops forever). */
export interface Playing {
  url: string | undefined;
  timer: Timer | undefined;
}

export interface GatherState {
  kind: "gather" | "gather_using_speak" | "gather_using_audio";
  collected: string;
  minimum: number;
  maximum: number;
  terminatingDigit: string;
  validDigits: string;
  gatherId: string | undefined;
  timer: Timer | undefined;
}

export interface CallRecord {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  connectionId: string;
  direction: CallDirection;
  from: string;
  to: string;
  state: CallState;
  clientState: string | undefined;
  webhookUrl: string | undefined;
  /** `webhook_urls` of the dial / answer / transfer: an event type sent to its own URL instead of `webhookUrl`. */
  eventUrls: Map<string, string>;
  /** `webhook_retries_policies`: per event type, the delays (ms) of exactly its redeliveries. */
  retryPolicies: Map<string, number[]>;
  startTime: string;
  answeredAt: number | undefined;
  endTime: string | undefined;
  hangupCause: HangupCause | undefined;
  bridgedWith: string | undefined;
  /** The new leg of a transfer still ringing: one transfer at a time, and it is cancelled if this call ends. */
  transferLeg: string | undefined;
  /** On a transfer's new leg while it rings: the call it will be bridged to when answered. */
  transferOf: string | undefined;
  /** The bridge this call is in said `park_after_unbridge: "self"` for it: parked, not hung up, when the peer ends. */
  parkAfterUnbridge: boolean;
  /** `time_limit_secs` in ms: the call is hung up (`time_limit`) this long after it is answered. */
  timeLimitMs: number;
  /** While it rings: the far end's answer (outbound) or the caller giving up (inbound). */
  ringTimer: Timer | undefined;
  /** Once answered: the time limit. */
  limitTimer: Timer | undefined;
  /** Digits the far end will press when the next gather starts (FIFO). */
  pendingDigits: string;
  /** Digits pressed while no gather ran: reported (call.dtmf.received) then, entered into the next gather. */
  typedAhead: string;
  gather: GatherState | undefined;
  speaking: Set<Timer>;
  playing: Set<Playing>;
  /** The recording running now (one at a time). */
  recording: ActiveRecording | undefined;
  /** Media streams, by stream id: connecting, or open. */
  streams: Map<string, ActiveStream>;
  /** What the far end heard of the app's streams (bounded); made with the call's first stream. */
  heard: Heard | undefined;
  /** What the far end says once the call's first media stream starts; taken by that stream. */
  says: FarEndSpeech | undefined;
  /** What starts once the call is answered: set by dial, transfer or answer, emptied when it starts or the call ends. */
  onAnswer: OnAnswer;
  /** Timers that end with the call (answering machine detection, a recording's limits): cancelled by the hangup. */
  timers: Set<Timer>;
  /** Timers of what the call still sends after it ended (a recording being saved); it is forgotten only after. */
  lingering: number;
  /** The retention ran out while something lingered: the call is forgotten when the last of it is done. */
  forgetDue: boolean;
  /** command_id -> the response body it got, so a repeated command is answered but not executed again. */
  commandResults: Map<string, unknown>;
  /** Every event emitted for this call, in order. */
  events: EmittedEvent[];
}

export interface ActiveRecording {
  id: string;
  startedAt: string;
  settings: RecordingSettings;
  /** Its `max_length` and `timeout_secs` timers (call timers). */
  limits: Timer[];
}

export interface ActiveStream {
  /** The `stream_id` (a UUID), as `streaming.failed` and `streaming_stop` name it. */
  id: string;
  settings: StreamSettings;
  state: "connecting" | "open";
  /** The WebSocket; undefined when the URL could not even be tried. */
  socket: StreamSocket | undefined;
  /** While connecting: the bound on the attempt. */
  timer: Timer | undefined;
  /** The protocol spoken over the socket once open (and the far end's audio queued for it before). */
  session: MediaSession;
}

/** A read-only snapshot of a call and the far-end actions a test can take on it. */
export interface SimCall {
  readonly callControlId: string;
  readonly callLegId: string;
  readonly callSessionId: string;
  readonly connectionId: string;
  readonly direction: CallDirection;
  readonly from: string;
  readonly to: string;
  readonly state: CallState;
  readonly clientState: string | undefined;
  readonly hangupCause: HangupCause | undefined;
  readonly bridgedWith: string | undefined;
  /** Event types emitted for this call so far, in order. */
  readonly eventTypes: CallEventType[];
  /**
   * The far end presses digits: entered into the active gather now, or into the next one to start. Throws
   * `DigitsRefused`, pressing none, for more than `MAX_DIGITS_AT_ONCE` (256) or anything but DTMF, on an ended
   * call, or when the call would hold more than `MAX_DIGITS_WAITING` (1024) for its gathers.
   */
  pressDigits(digits: string): void;
  /** The far end hangs up (`hangup_source: "callee"`). */
  hangup(cause?: HangupCause): void;
  /**
   * The far end says `pcm` (16-bit mono at `sampleRate`): every media stream of the call (open, or still
   * connecting) sends it on its inbound track in real time, 20 ms a frame, after what it was already saying;
   * silence otherwise. Returns its length in ms. Throws `FarEndAudioRefused`, queuing none of it, on an ended
   * call, a call with no stream, bad audio, or past one minute not yet sent.
   */
  sendAudio(pcm: Int16Array, options: { sampleRate: number }): number;
  /**
   * What the far end has heard so far of the app's audio (bidirectional "rtp" streams), decoded, as it played
   * in real time, the pauses left out; at the rate the app played it unless `sampleRate` is given. The last two
   * minutes are kept (`droppedMs` says how much went before).
   */
  receivedAudio(options?: { sampleRate?: number }): ReceivedAudio;
}
