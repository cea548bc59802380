// The public shape of a call in a flow: every action of the slice as an awaitable method (from the generated
// completion table), its events, its state and its end.
import type { RequestOptions } from "@telnyx-voice/client";
import type { MediaStream } from "@telnyx-voice/media";
import type {
  ActionBodies,
  ActionName,
  ActionResponses,
  CallEventOf,
  CallEventType,
  TelnyxCallEvent,
} from "@telnyx-voice/types";
import type { HangupPayload } from "./errors.js";
import type { FlowCallActions } from "./generated/call-methods.js";
import type { completions } from "./generated/completions.js";

/** The payload of the event whose `data.event_type` is T. */
export type EventPayload<T extends CallEventType> = NonNullable<CallEventOf<T>["data"]["payload"]>;

type Completes<N extends ActionName> = (typeof completions)[N]["completes"];

/** What `await call.<action>(...)` gives: the payload of the event that completes it, or the command's response. */
export type ActionResult<N extends ActionName> =
  Completes<N> extends readonly (infer E)[] ? (E extends CallEventType ? EventPayload<E> : never) : ActionResponses[N];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An action's body without `client_state`: a flow carries `call.state` there itself. */
export type FlowBody<N extends ActionName> = DistributiveOmit<ActionBodies[N], "client_state">;

/** Options of one command: the client's request options, and how long to wait for what completes it. */
export interface FlowCommandOptions extends RequestOptions {
  /** Milliseconds to wait for the completing event (default: the flows' `timeoutMs`). */
  timeoutMs?: number | undefined;
}

/** The arguments of an action's method: its body (optional when none of its fields is required), then options. */
export type FlowArgs<N extends ActionName> = N extends "bridge"
  ? [target: CallInfo | FlowBody<"bridge">, options?: FlowCommandOptions]
  : [ActionBodies[N]] extends [never]
    ? [body?: undefined, options?: FlowCommandOptions]
    : Record<never, never> extends FlowBody<N>
      ? [body?: FlowBody<N>, options?: FlowCommandOptions]
      : [body: FlowBody<N>, options?: FlowCommandOptions];

/**
 * The await of an action that runs until an event ends it (a speak, a playback, a gather), with a handle on it:
 * `stop()` ends it early (barge-in) and resolves, like the await itself, with the event that ended it.
 */
export interface RunningAction<T, Stop extends ActionName> extends Promise<T> {
  /**
   * Sends the action that stops this one (`playbackStop` for a speak or a playback, `gatherStop` for a gather)
   * and resolves with the event that ended it. Once it has ended, sends nothing and resolves as it did.
   */
  stop(...args: FlowArgs<Stop>): Promise<T>;
}

/** What an action's method returns: its result's promise, with `stop()` when the action can be stopped. */
export type ActionPromise<N extends ActionName> = (typeof completions)[N] extends {
  readonly stoppedBy: infer Stop extends ActionName;
}
  ? RunningAction<ActionResult<N>, Stop>
  : Promise<ActionResult<N>>;

/** An action as a method of the call (`call.speak(body)`, `call.bridge(agent)`). */
export type FlowActionMethod<N extends ActionName> = (...args: FlowArgs<N>) => ActionPromise<N>;

/**
 * Every action of the slice, named as in the client (`telnyx.calls.actions.<name>`), each with its doc comment
 * (generated: the spec's summary, what completes it, its reference page). `bridge` also takes a call.
 */
export type FlowActions = FlowCallActions;

/**
 * Where a flow's `call.mediaStream()` finds its call's media WebSocket: a `MediaStreams` of
 * `@telnyx-voice/media` (an optional peer dependency: flows never loads it, it is handed the instance).
 */
export interface MediaStreamSource {
  streamFor(callControlId: string, options?: { timeoutMs?: number | undefined }): Promise<MediaStream>;
}

/** What identifies a call. */
export interface CallInfo {
  /** `call_control_id`: what commands address. */
  readonly id: string;
  readonly callLegId: string | undefined;
  readonly callSessionId: string | undefined;
  readonly direction: "incoming" | "outgoing";
  readonly from: string | undefined;
  readonly to: string | undefined;
}

/** A call as a flow sees it. */
export interface Call<State = unknown> extends FlowActions, CallInfo {
  /**
   * The app's state for this call, carried in `client_state` (base64 JSON) with the next command, so it is in
   * every later webhook and any instance can read it. Must be JSON; its size is checked before sending.
   */
  state: State | undefined;
  /** Resolves with the hangup's payload when the call ends, however it ends. Never rejects. */
  readonly ended: Promise<HangupPayload>;
  /** Whether the call has ended. */
  readonly isEnded: boolean;
  /**
   * Calls `listener` for each event of type T on this call (events that complete nothing too), including those
   * Telnyx sends after the hangup (`eventsAfterHangup`) for `afterHangupMs`. Returns an unsubscribe.
   */
  on<T extends CallEventType>(type: T, listener: (payload: EventPayload<T>, event: CallEventOf<T>) => void): () => void;
  /**
   * The next event of one of these types on this call that no await has taken since the flow's last command
   * (an event that came meanwhile is not missed). Rejects with CallEndedError at the hangup, unless it waits for
   * `call.hangup` or for an event Telnyx sends after the hangup (`eventsAfterHangup`: a recording saved, the
   * call's cost...), which it still receives for `afterHangupMs`.
   */
  waitFor<T extends CallEventType>(
    types: T | readonly T[],
    options?: { timeoutMs?: number | undefined },
  ): Promise<EventPayload<T>>;
  /** Every event of this call from now on, in order; ends after `call.hangup`. */
  events(): AsyncIterableIterator<TelnyxCallEvent>;
  /**
   * This call's media stream, once Telnyx has opened it to this process (`stream_url` on answer or dial, or
   * `call.streamingStart()`) and sent its `start` frame: matched by `call_control_id`. Needs `media` in the
   * CallFlows options. Rejects with FlowTimeoutError after `timeoutMs` (default 10000), CallEndedError when the
   * call hangs up first, FlowError when no `media` was given.
   */
  mediaStream(options?: { timeoutMs?: number | undefined }): Promise<MediaStream>;
}
