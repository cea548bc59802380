// One call of a flow: its commands as awaits, matched to the events that complete them, and its end.
//
// An await is registered before its command is sent (the completing webhook can arrive before the command's
// HTTP answer). Each command carries the flow's command count in `client_state`, which Telnyx echoes in every
// later webhook of the call: an event resolves only awaits of commands sent before it happened, so a late or
// duplicated `call.speak.ended` of an earlier speak never resolves the next one.
//
// A call outlives its hangup for `afterHangupMs`: Telnyx sends some events after `call.hangup` (a recording
// saved, the call's cost), and the awaits that complete on them stay pending through the hangup.
import type { CallActions } from "@telnyx-voice/client";
import type { ActionName, CallEventOf, CallEventType, TelnyxCallEvent } from "@telnyx-voice/types";
import { decodeClientState, encodeClientState } from "./client-state.js";
import {
  ActionFailedError,
  CallEndedError,
  FlowError,
  FlowStateError,
  FlowTimeoutError,
  type HangupPayload,
} from "./errors.js";
import { CallActionMethods } from "./generated/call-methods.js";
import { type Completion, completions, eventsAfterHangup } from "./generated/completions.js";
import type { MediaStream } from "@telnyx-voice/media";
import { type AwaitTelemetry, type CallTelemetry, telemetry } from "./telemetry.js";
import type {
  ActionPromise,
  CallInfo,
  EventPayload,
  FlowArgs,
  FlowCommandOptions,
  MediaStreamSource,
} from "./types.js";

/** What a call needs from the flows that run it. */
export interface CallEngine {
  actions: CallActions;
  timeoutMs: number;
  clientStateLimit: number;
  /** This instance, named in client_state so other instances can forward the call's events here. */
  owner: string | undefined;
  /** How long after its hangup the call still receives the events Telnyx sends then. */
  afterHangupMs: number;
  /** The call is over, and so is the time its late events were awaited: forget it. */
  retire(call: CallInfo): void;
  /** An event that came after the hangup and that nothing of the flow took (handed on, not dropped). */
  unheard(event: TelnyxCallEvent): void;
  /** The `media` option: where `call.mediaStream()` looks. */
  media: MediaStreamSource | undefined;
}

/** How long `call.mediaStream()` waits by default: Telnyx connects within a second or two of the command. */
const MEDIA_STREAM_WAIT_MS = 10_000;

interface Waiter {
  action: string;
  /** A command's completion (undefined for a waitFor). */
  completion: Completion | undefined;
  types: readonly string[];
  fails: readonly string[];
  /** Events of the new leg the command dials that fail it (a transfer's leg hanging up). */
  newLegFails: readonly string[];
  /** The command count when it was sent: only events that happened after it (count >= seq) settle it. */
  seq: number;
  /** A command's await takes one event (the first registered first); a `waitFor` takes any event of its types. */
  kind: "command" | "waitFor";
  /** An event Telnyx sends after the hangup can complete it: the hangup does not reject it. */
  outlivesHangup: boolean;
  /** How many of the call's events had arrived when it started (what arrived since is named on timeout). */
  since: number;
  /** Its span, when telemetry is enabled. */
  observed: AwaitTelemetry | undefined;
  resolve(payload: unknown): void;
  reject(error: Error): void;
}

/** An iterator lags this many events behind before it fails rather than hold more. */
const MAX_BUFFERED_EVENTS = 1000;
/** Events no await took, kept for a `waitFor` that comes after them (the oldest go first). */
const MAX_UNCLAIMED = 32;
/** The types of the call's latest events, kept to say what arrived when an await times out. */
const ARRIVALS_KEPT = 64;
/** The ids of the call's latest events: a copy dispatched again (relayed twice between instances) is dropped. */
const IDS_KEPT = 256;

const afterHangup: ReadonlySet<string> = new Set(eventsAfterHangup);
/** Actions that end the call: they go out whatever the call's state grew to (sent without it when too large). */
const ENDS_CALL: ReadonlySet<string> = new Set(
  Object.entries(completions).flatMap(([name, c]: [string, Completion]) =>
    c.completes !== "response" && c.completes.includes("call.hangup") ? [name] : [],
  ),
);

/** How long a command Telnyx refused as "call has already ended" waits for that call's `call.hangup`. */
const CALL_ENDED_WAIT_MS = 3000;
/** A stop Telnyx refuses is not an error when what it stops ends this soon anyway (it ended as the stop was sent). */
const STOP_RACE_MS = 1000;

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = promise.then(
    () => true,
    () => true,
  );
  const result = await Promise.race([
    settled,
    new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false))),
  ]);
  clearTimeout(timer);
  return result;
}

/** Telnyx's 422 "Call has already ended" (code 90018). */
function isCallEnded(error: unknown): boolean {
  const { status, errors } = error as { status?: unknown; errors?: Array<{ code?: unknown }> };
  return status === 422 && Array.isArray(errors) && errors.some((e) => e?.code === "90018");
}

type Listener = (payload: unknown, event: TelnyxCallEvent) => void;

export class FlowCall<State> extends CallActionMethods implements CallInfo {
  readonly id: string;
  callLegId: string | undefined;
  callSessionId: string | undefined;
  readonly direction: "incoming" | "outgoing";
  from: string | undefined;
  to: string | undefined;
  state: State | undefined;
  readonly ended: Promise<HangupPayload>;

  readonly #engine: CallEngine;
  /** Commands sent (their count is in client_state) and the highest count Telnyx accepted. */
  #seq: number;
  #accepted: number;
  #hangup: HangupPayload | undefined;
  /** Past `afterHangupMs` after the hangup: nothing more is awaited on this call. */
  #retired = false;
  #endedResolve!: (payload: HangupPayload) => void;
  readonly #waiters: Waiter[] = [];
  /** `afterHangup`: it came after the hangup, when the flow may be over: handed on if nothing takes it. */
  readonly #unclaimed: Array<{ event: TelnyxCallEvent; seq: number | undefined; afterHangup: boolean }> = [];
  readonly #arrivals: string[] = [];
  readonly #ids = new Set<string>();
  #arrived = 0;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #iterators = new Set<(event: TelnyxCallEvent | undefined) => void>();
  readonly #telemetry: CallTelemetry | undefined;

  /** `trace`: the traceparent the call's client_state carried when it came (telemetry), if any. */
  constructor(
    engine: CallEngine,
    info: Omit<CallInfo, "id"> & { id: string; state: State | undefined; seq: number; trace?: string | undefined },
  ) {
    super();
    this.#engine = engine;
    this.id = info.id;
    this.callLegId = info.callLegId;
    this.callSessionId = info.callSessionId;
    this.direction = info.direction;
    this.from = info.from;
    this.to = info.to;
    this.state = info.state;
    this.#seq = info.seq;
    this.#accepted = info.seq;
    this.ended = new Promise((resolve) => {
      this.#endedResolve = resolve;
    });
    this.#telemetry = telemetry()?.call(this, info.trace);
  }

  /** Runs the call's flow (with telemetry, under the webhook that last woke it). */
  runFlow<T>(flow: () => T): T {
    return this.#telemetry ? this.#telemetry.run(flow) : flow();
  }

  get isEnded(): boolean {
    return this.#hangup !== undefined;
  }

  /** The client_state to send with the next command (counted), or undefined for an action that takes none. */
  nextClientState(completion: Completion, ending = false): { seq: number; clientState: string | undefined } {
    if (completion.clientState === false) return { seq: this.#seq, clientState: undefined };
    const seq = this.#seq + 1;
    const tag = { state: this.state, seq, owner: this.#engine.owner, trace: this.#telemetry?.traceparent };
    let clientState: string;
    try {
      clientState = encodeClientState(tag, this.#engine.clientStateLimit);
    } catch (error) {
      // A call is always hung up, whatever its state grew to: the end needs no state, only the count.
      if (!(ending && error instanceof FlowStateError)) throw error;
      clientState = encodeClientState({ ...tag, state: undefined }, this.#engine.clientStateLimit);
    }
    this.#seq = seq;
    return { seq, clientState };
  }

  protected command<N extends ActionName>(name: N, args: FlowArgs<N>): ActionPromise<N> {
    const [body, options] = args;
    const running = this.#command(name, name === "bridge" ? bridgeBody(body) : body, options, "await");
    const { stoppedBy }: Completion = completions[name];
    if (stoppedBy === undefined) return running as ActionPromise<N>;
    // Ended: resolved, or rejected by its end (a timeout leaves it running, and stopping it still applies).
    let ended = false;
    running.then(
      () => (ended = true),
      (error: unknown) => (ended = !(error instanceof FlowTimeoutError)),
    );
    const stopping = async (stopBody?: unknown, stopOptions?: FlowCommandOptions) => {
      if (!ended && !this.#hangup) {
        try {
          await this.#command(stoppedBy, stopBody, stopOptions, "stop");
        } catch (error) {
          // Refused because it ended on its own as the stop was sent (its end is on its way), or the call did.
          if (!this.#hangup && !isCallEnded(error) && !(await settlesWithin(running, STOP_RACE_MS))) throw error;
        }
      }
      return running;
    };
    const stop = (stopBody?: unknown, stopOptions?: FlowCommandOptions) => {
      const result = stopping(stopBody, stopOptions);
      // Called from a listener without an await (`call.on(..., () => greeting.stop())`): its outcome is the
      // action's own, which the flow awaits; not an unhandled rejection.
      result.catch(() => undefined);
      return result;
    };
    return Object.assign(running, { stop }) as ActionPromise<N>;
  }

  /**
   * Sends a command. `"await"`: resolves with what completes it. `"stop"` (a handle's stop()): resolves with
   * its response; the action it stops settles with the event that ends it.
   */
  #command(
    name: ActionName,
    body: unknown,
    options: FlowCommandOptions | undefined,
    mode: "await" | "stop",
  ): Promise<unknown> {
    if (!this.#telemetry) return this.#send(name, body, options, mode, undefined);
    const { completes } = completions[name] as Completion;
    const observed = this.#telemetry.await(name, mode === "await" && completes !== "response" ? completes : []);
    const running = this.#send(name, body, options, mode, observed);
    observed.follow(running);
    return running;
  }

  async #send(
    name: ActionName,
    body: unknown,
    options: FlowCommandOptions | undefined,
    mode: "await" | "stop",
    observed: AwaitTelemetry | undefined,
  ): Promise<unknown> {
    if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
      throw new TypeError(
        `call.${name}(body): the body must be an object, got ${body === null ? "null" : typeof body}`,
      );
    }
    if (body && "client_state" in body) {
      throw new FlowError(
        `call.${name}({ client_state }): a flow carries call.state in client_state itself; set call.state instead.`,
      );
    }
    const completion: Completion = completions[name];
    if (body && "target_leg_client_state" in body && completion.newLegFails) {
      throw new FlowError(
        `call.${name}({ target_leg_client_state }): the flow tags the new leg itself, so that its hangup fails this ` +
          `${name}; keep what the new leg needs in call.state or your own store.`,
      );
    }
    const { timeoutMs, ...requestOptions } = options ?? {};
    const completes = mode === "await" && completion.completes !== "response" ? completion.completes : undefined;
    if (this.#hangup) {
      // What ends with an event Telnyx sends after the hangup still gets it: `recordStop()` after the caller hung
      // up resolves with the recording saved at the hangup. Nothing is sent to a call that has ended.
      if (!completes?.some((type) => afterHangup.has(type)) || this.#retired) {
        throw new CallEndedError(this.id, this.#hangup);
      }
      return this.#wait(name, completes, completion, this.#accepted, timeoutMs, "command", observed).promise;
    }
    const { seq, clientState } = this.nextClientState(completion, ENDS_CALL.has(name));
    let sent = clientState === undefined ? body : { ...(body as object), client_state: clientState };
    // The new leg of a transfer carries this command's count, so its hangup fails this transfer and no other.
    if (completion.newLegFails) {
      const leg = encodeClientState(
        { state: undefined, seq, owner: this.#engine.owner },
        this.#engine.clientStateLimit,
      );
      sent = { ...(sent as object), target_leg_client_state: leg };
    }
    const waiter = completes ? this.#wait(name, completes, completion, seq, timeoutMs, "command", observed) : undefined;
    let response: unknown;
    try {
      const action = this.#engine.actions[name] as (id: string, body: unknown, options: unknown) => Promise<unknown>;
      response = await (observed
        ? observed.run(() => action(this.id, sent ?? {}, requestOptions))
        : action(this.id, sent ?? {}, requestOptions));
    } catch (error) {
      // Telnyx refused it because the call has ended: its call.hangup is on its way.
      if (isCallEnded(error)) await this.#hangupWithin(CALL_ENDED_WAIT_MS);
      // A command refused because the call hung up meanwhile says so, like every other await on the call,
      // unless what it awaits comes after the hangup (a recording being saved).
      if (this.#hangup && waiter?.outlivesHangup) return waiter.promise;
      waiter?.cancel();
      if (this.#hangup) throw new CallEndedError(this.id, this.#hangup);
      throw error;
    }
    // A stop ends the action before it rather than starting anything: the events that came meanwhile (the key
    // that interrupted a greeting) are still for the next waitFor.
    if (mode === "await") this.#accept(seq);
    return waiter ? waiter.promise : response;
  }

  /** Resolves at the call's hangup, or after `ms` without one. */
  async #hangupWithin(ms: number): Promise<void> {
    if (this.#hangup) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.ended, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Telnyx took command `seq`: events from before it are stale for a `waitFor` from now on. */
  #accept(seq: number): void {
    if (seq <= this.#accepted) return;
    this.#accepted = seq;
    for (let i = this.#unclaimed.length - 1; i >= 0; i--) {
      const kept = this.#unclaimed[i]!;
      if (kept.seq !== undefined && kept.seq < seq) this.#unclaimed.splice(i, 1);
    }
  }

  mediaStream(options: { timeoutMs?: number | undefined } = {}): Promise<MediaStream> {
    const media = this.#engine.media;
    if (!media) {
      return Promise.reject(
        new FlowError(
          "call.mediaStream() needs the MediaStreams the WebSockets arrive at: new CallFlows({ ..., media }) with " +
            "`const media = new MediaStreams(...)` from @telnyx-voice/media, on this process.",
        ),
      );
    }
    if (this.#hangup) return Promise.reject(new CallEndedError(this.id, this.#hangup));
    const timeoutMs = options.timeoutMs ?? MEDIA_STREAM_WAIT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_TIMER_MS) {
      return Promise.reject(new RangeError(`mediaStream({ timeoutMs }): ${timeoutMs} is not 0 to ${MAX_TIMER_MS} ms`));
    }
    const since = this.#arrived;
    return new Promise<MediaStream>((resolve, reject) => {
      let settled = false;
      media.streamFor(this.id, { timeoutMs }).then(
        (stream) => {
          settled = true;
          resolve(stream);
        },
        (error: unknown) => {
          settled = true;
          // MediaStreams' own bound passed: the same error as every other await of a flow that times out.
          if ((error as { reason?: unknown })?.reason === "stream_wait_timeout") {
            const arrived = this.#arrivals.slice(Math.max(0, this.#arrivals.length - (this.#arrived - since)));
            const timeout = new FlowTimeoutError("mediaStream", ["a media stream's start frame"], timeoutMs, [
              ...new Set(arrived),
            ]);
            reject(Object.assign(timeout, { cause: error }));
          } else reject(error);
        },
      );
      this.ended.then((payload) => {
        if (!settled) reject(new CallEndedError(this.id, payload));
        settled = true;
      });
    });
  }

  waitFor<T extends CallEventType>(
    types: T | readonly T[],
    options?: { timeoutMs?: number | undefined },
  ): Promise<EventPayload<T>> {
    return this.#waitFor(typeof types === "string" ? [types] : [...types], options) as Promise<EventPayload<T>>;
  }

  #waitFor(list: readonly string[], options: { timeoutMs?: number | undefined } | undefined): Promise<unknown> {
    if (this.#hangup) {
      if (list.includes("call.hangup")) return Promise.resolve(this.#hangup);
      if (this.#retired || !list.some((type) => afterHangup.has(type))) {
        return Promise.reject(new CallEndedError(this.id, this.#hangup));
      }
    }
    try {
      const limit = checkTimeout(options?.timeoutMs ?? this.#engine.timeoutMs);
      const kept = this.#take(list);
      if (kept) return Promise.resolve(kept.data.payload ?? {});
      const observed = this.#telemetry?.await("waitFor", list);
      const { promise } = this.#wait(`waitFor(${list.join(", ")})`, list, undefined, 0, limit, "waitFor", observed);
      observed?.follow(promise);
      return promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The oldest event of these types that no await took since the last command Telnyx accepted. */
  #take(types: readonly string[]): TelnyxCallEvent | undefined {
    const at = this.#unclaimed.findIndex(
      (kept) => types.includes(kept.event.data.event_type) && (kept.seq === undefined || kept.seq >= this.#accepted),
    );
    return at < 0 ? undefined : this.#unclaimed.splice(at, 1)[0]?.event;
  }

  /** Registers an await now; `cancel` withdraws it without settling (its command was refused). */
  #wait(
    action: string,
    types: readonly string[],
    completion: Completion | undefined,
    seq: number,
    timeoutMs: number | undefined,
    kind: Waiter["kind"],
    observed: AwaitTelemetry | undefined,
  ): { promise: Promise<unknown>; outlivesHangup: boolean; cancel(): void } {
    const limit = checkTimeout(timeoutMs ?? this.#engine.timeoutMs);
    const fails = completion?.fails ?? [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiter!: Waiter;
    const remove = () => {
      clearTimeout(timer);
      const at = this.#waiters.indexOf(waiter);
      if (at >= 0) this.#waiters.splice(at, 1);
    };
    const promise = new Promise<unknown>((resolve, reject) => {
      waiter = {
        action,
        completion: kind === "command" ? completion : undefined,
        types,
        fails,
        newLegFails: completion?.newLegFails ?? [],
        seq,
        kind,
        outlivesHangup: types.some((type) => afterHangup.has(type)),
        since: this.#arrived,
        observed,
        resolve: (payload) => {
          remove();
          resolve(payload);
        },
        reject: (error) => {
          remove();
          reject(error);
        },
      };
      timer = setTimeout(
        () => waiter.reject(new FlowTimeoutError(action, types, limit, this.#arrivedSince(waiter))),
        limit,
      );
    });
    // Marked handled now: a hangup can reject it while its command is still being sent, before anyone awaits it.
    promise.catch(() => undefined);
    this.#waiters.push(waiter);
    // After the hangup nothing is sent: what completes it may have come already.
    if (this.#hangup) {
      const kept = this.#take([...types, ...fails]);
      if (kept) this.#settle(waiter, kept.data.event_type, kept.data.payload ?? {});
    }
    return { promise, outlivesHangup: waiter.outlivesHangup, cancel: remove };
  }

  /** The types of the call's latest events (what arrived, for a timeout's message). */
  arrivals(): string[] {
    return [...new Set(this.#arrivals)];
  }

  #arrivedSince(waiter: Waiter): string[] {
    const fresh = this.#arrivals.slice(Math.max(0, this.#arrivals.length - (this.#arrived - waiter.since)));
    return [...new Set(fresh)];
  }

  /**
   * An event of this call: settles the awaits it completes, then reaches listeners and iterators. Once per
   * event id: the router hands each event over once, but a copy relayed from another instance can come twice
   * (the relay timed out, Telnyx delivered again, and the first copy arrived late).
   */
  dispatch(event: TelnyxCallEvent): void {
    const id = event.data.id;
    if (typeof id === "string") {
      if (this.#ids.has(id)) return;
      this.#ids.add(id);
      if (this.#ids.size > IDS_KEPT) this.#ids.delete(this.#ids.values().next().value as string);
    }
    // Its webhook's span (active now) woke the flow: the commands the flow sends next are under it.
    this.#telemetry?.woke();
    const type = event.data.event_type;
    const payload = (event.data.payload ?? {}) as Record<string, unknown>;
    const seq = decodeClientState(payload.client_state)?.seq;
    this.#arrivals.push(type);
    if (this.#arrivals.length > ARRIVALS_KEPT) this.#arrivals.shift();
    this.#arrived++;
    if (type === "call.hangup") {
      this.#end(payload as HangupPayload);
    } else if (payload.status !== "call_hangup") {
      // An ending cut short by the hangup (speak, playback or gather `status: "call_hangup"`) is not its result:
      // the call.hangup that follows rejects the await with CallEndedError and the hangup's cause.
      const happenedAfter = (w: Waiter) => seq === undefined || seq >= w.seq;
      const matches = (w: Waiter) => w.types.includes(type) || w.fails.includes(type);
      // One event settles the oldest await of each action it completes (two speaks queue: the first ends
      // first; a speak and the playbackStop that stops it both end with its call.speak.ended), and every waitFor.
      const commands = new Map<string, Waiter>();
      for (const w of this.#waiters) {
        if (w.kind === "command" && !commands.has(w.action) && matches(w) && happenedAfter(w))
          commands.set(w.action, w);
      }
      const waits = this.#waiters.filter((w) => w.kind === "waitFor" && matches(w));
      for (const waiter of [...commands.values(), ...waits]) this.#settle(waiter, type, payload);
      if (commands.size === 0 && waits.length === 0) this.#keep(event, seq, (this.#listeners.get(type)?.size ?? 0) > 0);
    }
    for (const listener of [...(this.#listeners.get(type) ?? [])]) listener(payload, event);
    for (const push of this.#iterators) push(event);
    if (type === "call.hangup") for (const push of [...this.#iterators]) push(undefined);
  }

  /**
   * Keeps an event no await took, for a later waitFor. One that came after the hangup and that no listener
   * heard is handed on if it falls out, or when the call is forgotten: the flow may be over by then.
   */
  #keep(event: TelnyxCallEvent, seq: number | undefined, heard: boolean): void {
    this.#unclaimed.push({ event, seq, afterHangup: this.#hangup !== undefined && !heard });
    const dropped = this.#unclaimed.length > MAX_UNCLAIMED ? this.#unclaimed.shift() : undefined;
    if (dropped?.afterHangup) this.#engine.unheard(dropped.event);
  }

  #settle(waiter: Waiter, type: string | undefined, payload: unknown): void {
    if (type !== undefined) waiter.observed?.settledBy(type);
    // What the action used up is not there for a later waitFor: the digits a gather returned.
    for (const consumed of waiter.completion?.consumes ?? []) {
      for (let i = this.#unclaimed.length - 1; i >= 0; i--) {
        if (this.#unclaimed[i]!.event.data.event_type === consumed) this.#unclaimed.splice(i, 1);
      }
    }
    if (type !== undefined && waiter.fails.includes(type)) {
      waiter.reject(new ActionFailedError(waiter.action, type, payload as Record<string, unknown>));
    } else {
      waiter.resolve(payload);
    }
  }

  /** An event of another leg of this call's session: the hangup of a transfer's new leg fails that transfer. */
  dispatchSessionLeg(event: TelnyxCallEvent): void {
    const type = event.data.event_type;
    const payload = (event.data.payload ?? {}) as Record<string, unknown>;
    const leg = decodeClientState(payload.client_state);
    const failed = leg && this.#waiters.find((w) => w.newLegFails.includes(type) && w.seq === leg.seq);
    failed?.reject(new ActionFailedError(failed.action, type, payload));
  }

  /** Whether an event of this type still reaches the call (before its hangup; after it, what Telnyx sends then). */
  receives(type: string): boolean {
    return !this.#hangup || (!this.#retired && afterHangup.has(type));
  }

  #end(payload: HangupPayload): void {
    if (this.#hangup) return;
    this.#hangup = payload;
    this.#telemetry?.ended();
    for (const waiter of [...this.#waiters]) {
      if (waiter.types.includes("call.hangup")) waiter.resolve(payload);
      else if (!waiter.outlivesHangup) waiter.reject(new CallEndedError(this.id, payload));
    }
    this.#endedResolve(payload);
    const linger = setTimeout(() => this.#retire(), this.#engine.afterHangupMs);
    (linger as { unref?: () => void }).unref?.();
  }

  /** `afterHangupMs` after the hangup: what is still awaited will not come. */
  #retire(): void {
    this.#retired = true;
    const hangup = this.#hangup as HangupPayload;
    for (const waiter of [...this.#waiters]) {
      waiter.reject(
        new CallEndedError(
          this.id,
          hangup,
          `${waiter.action}: no ${waiter.types.join(" or ")} within ${this.#engine.afterHangupMs} ms (afterHangupMs) ` +
            `of call ${this.id}'s hangup (${describeArrivals(this.#arrivedSince(waiter))}).`,
        ),
      );
    }
    const leftovers = this.#unclaimed.splice(0).filter((kept) => kept.afterHangup);
    this.#listeners.clear();
    this.#engine.retire(this);
    for (const { event } of leftovers) this.#engine.unheard(event);
  }

  on<T extends CallEventType>(
    type: T,
    listener: (payload: EventPayload<T>, event: CallEventOf<T>) => void,
  ): () => void {
    const set = this.#listeners.get(type) ?? new Set<Listener>();
    set.add(listener as Listener);
    this.#listeners.set(type, set);
    return () => set.delete(listener as Listener);
  }

  events(): AsyncIterableIterator<TelnyxCallEvent> {
    const buffered: TelnyxCallEvent[] = [];
    let waiting: ((result: IteratorResult<TelnyxCallEvent>) => void) | undefined;
    let done = this.#hangup !== undefined;
    let overflow = false;
    const push = (event: TelnyxCallEvent | undefined) => {
      if (event === undefined) {
        done = true;
        this.#iterators.delete(push);
      } else if (buffered.length >= MAX_BUFFERED_EVENTS) {
        overflow = true;
        this.#iterators.delete(push);
      } else {
        buffered.push(event);
      }
      if (waiting && (buffered.length || done || overflow)) {
        const resolve = waiting;
        waiting = undefined;
        const next = buffered.shift();
        resolve(next ? { value: next, done: false } : { value: undefined, done: true });
      }
    };
    if (!done) this.#iterators.add(push);
    const iterator: AsyncIterableIterator<TelnyxCallEvent> = {
      next: () => {
        const next = buffered.shift();
        if (next) return Promise.resolve({ value: next, done: false });
        if (overflow) {
          return Promise.reject(
            new FlowError(
              `call.events() fell ${MAX_BUFFERED_EVENTS} events behind on call ${this.id}; read it faster.`,
            ),
          );
        }
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return: () => {
        done = true;
        this.#iterators.delete(push);
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

function describeArrivals(arrived: readonly string[]): string {
  return arrived.length ? `${arrived.join(", ")} arrived` : "no event of this call arrived meanwhile";
}

/** `call.bridge(agent)`: a call of these flows stands for `{ call_control_id: agent.id }`. */
function bridgeBody(target: unknown): unknown {
  return target instanceof FlowCall ? { call_control_id: target.id } : target;
}

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days); beyond it Node fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

function checkTimeout(ms: number): number {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMER_MS) {
    throw new RangeError(`timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMER_MS}, got ${String(ms)}`);
  }
  return ms;
}

export type { EventPayload };
