// One call of a flow: its commands as awaits, matched to the events that complete them, and its end.
//
// An await is registered before its command is sent (the completing webhook can arrive before the command's
// HTTP answer). Each command carries the flow's command count in `client_state`, which Telnyx echoes in every
// later webhook of the call: an event resolves only awaits of commands sent before it happened, so a late or
// duplicated `call.speak.ended` of an earlier speak never resolves the next one.
import type { TelnyxCallEvent } from "@telnyx-voice/types";
import type { CallActions } from "@telnyx-voice/client";
import { decodeClientState, encodeClientState } from "./client-state.js";
import { ActionFailedError, CallEndedError, FlowError, FlowTimeoutError, type HangupPayload } from "./errors.js";
import { type Completion, completions } from "./generated/completions.js";
import type { CallInfo, EventPayload, FlowCommandOptions } from "./types.js";

/** What a call needs from the flows that run it. */
export interface CallEngine {
  actions: CallActions;
  timeoutMs: number;
  clientStateLimit: number;
  /** This instance, named in client_state so other instances can forward the call's events here. */
  owner: string | undefined;
}

interface Waiter {
  action: string;
  types: readonly string[];
  fails: readonly string[];
  /** The command count when it was sent: only events that happened after it (count >= seq) settle it. */
  seq: number;
  resolve(payload: unknown): void;
  reject(error: Error): void;
}

/** An iterator lags this many events behind before it fails rather than hold more. */
const MAX_BUFFERED_EVENTS = 1000;

type Listener = (payload: unknown, event: TelnyxCallEvent) => void;

export class FlowCall<State> implements CallInfo {
  readonly id: string;
  callLegId: string | undefined;
  callSessionId: string | undefined;
  readonly direction: "incoming" | "outgoing";
  from: string | undefined;
  to: string | undefined;
  state: State | undefined;
  readonly ended: Promise<HangupPayload>;

  readonly #engine: CallEngine;
  #seq: number;
  #hangup: HangupPayload | undefined;
  #endedResolve!: (payload: HangupPayload) => void;
  readonly #waiters: Waiter[] = [];
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #iterators = new Set<(event: TelnyxCallEvent | undefined) => void>();

  constructor(engine: CallEngine, info: Omit<CallInfo, "id"> & { id: string; state: State | undefined; seq: number }) {
    this.#engine = engine;
    this.id = info.id;
    this.callLegId = info.callLegId;
    this.callSessionId = info.callSessionId;
    this.direction = info.direction;
    this.from = info.from;
    this.to = info.to;
    this.state = info.state;
    this.#seq = info.seq;
    this.ended = new Promise((resolve) => {
      this.#endedResolve = resolve;
    });
    const self = this as unknown as Record<string, unknown>;
    for (const name of Object.keys(completions) as Array<keyof typeof completions>) {
      self[name] = (body?: unknown, options?: FlowCommandOptions) =>
        this.#command(name, name === "bridge" ? bridgeBody(body) : body, options);
    }
  }

  get isEnded(): boolean {
    return this.#hangup !== undefined;
  }

  /** The client_state to send with the next command (counted), or undefined for an action that takes none. */
  nextClientState(completion: Completion): { seq: number; clientState: string | undefined } {
    if (completion.clientState === false) return { seq: this.#seq, clientState: undefined };
    const seq = this.#seq + 1;
    const clientState = encodeClientState(
      { state: this.state, seq, owner: this.#engine.owner },
      this.#engine.clientStateLimit,
    );
    this.#seq = seq;
    return { seq, clientState };
  }

  async #command(name: keyof typeof completions, body: unknown, options: FlowCommandOptions | undefined): Promise<unknown> {
    if (this.#hangup) throw new CallEndedError(this.id, this.#hangup);
    if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
      throw new TypeError(`call.${name}(body): the body must be an object, got ${body === null ? "null" : typeof body}`);
    }
    if (body && "client_state" in body) {
      throw new FlowError(
        `call.${name}({ client_state }): a flow carries call.state in client_state itself; set call.state instead.`,
      );
    }
    const completion: Completion = completions[name];
    const { timeoutMs, ...requestOptions } = options ?? {};
    const { seq, clientState } = this.nextClientState(completion);
    let sent = clientState === undefined ? body : { ...(body as object), client_state: clientState };
    // The new leg of a transfer carries this command's count, so its hangup fails this transfer and no other.
    if (name === "transfer" && !(body && "target_leg_client_state" in body)) {
      const leg = encodeClientState({ state: undefined, seq, owner: this.#engine.owner }, this.#engine.clientStateLimit);
      sent = { ...(sent as object), target_leg_client_state: leg };
    }
    const waiter =
      completion.completes === "response"
        ? undefined
        : this.#wait(name, completion.completes, completion.fails ?? [], seq, timeoutMs);
    let response: unknown;
    try {
      const action = this.#engine.actions[name] as (id: string, body: unknown, options: unknown) => Promise<unknown>;
      response = await action(this.id, sent ?? {}, requestOptions);
    } catch (error) {
      waiter?.cancel();
      // A command refused because the call hung up meanwhile says so, like every other await on the call.
      if (this.#hangup) throw new CallEndedError(this.id, this.#hangup);
      throw error;
    }
    return waiter ? waiter.promise : response;
  }

  waitFor(types: string | readonly string[], options?: { timeoutMs?: number | undefined }): Promise<unknown> {
    const list = typeof types === "string" ? [types] : [...types];
    if (this.#hangup && !list.includes("call.hangup")) return Promise.reject(new CallEndedError(this.id, this.#hangup));
    try {
      return this.#wait(`waitFor(${list.join(", ")})`, list, [], 0, options?.timeoutMs).promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Registers an await now; `cancel` withdraws it without settling (its command was refused). */
  #wait(
    action: string,
    types: readonly string[],
    fails: readonly string[],
    seq: number,
    timeoutMs: number | undefined,
  ): { promise: Promise<unknown>; cancel(): void } {
    const limit = checkTimeout(timeoutMs ?? this.#engine.timeoutMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiter!: Waiter;
    const promise = new Promise<unknown>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
      };
      waiter = {
        action,
        types,
        fails,
        seq,
        resolve: (payload) => {
          settle();
          resolve(payload);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      timer = setTimeout(() => waiter.reject(new FlowTimeoutError(action, types, limit)), limit);
    });
    // Marked handled now: a hangup can reject it while its command is still being sent, before anyone awaits it.
    promise.catch(() => undefined);
    this.#waiters.push(waiter);
    return {
      promise,
      cancel: () => {
        clearTimeout(timer);
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
      },
    };
  }

  /** An event of this call: settles the await it completes, then reaches listeners and iterators. */
  dispatch(event: TelnyxCallEvent): void {
    const type = event.data.event_type;
    const payload = (event.data.payload ?? {}) as Record<string, unknown>;
    const ours = decodeClientState(payload.client_state);
    if (type === "call.hangup") {
      this.#end(payload as HangupPayload);
    } else if (payload.status !== "call_hangup") {
      // An ending cut short by the hangup (speak, playback or gather `status: "call_hangup"`) is not its result:
      // the call.hangup that follows rejects the await with CallEndedError and the hangup's cause.
      const happenedAfter = (w: Waiter) => ours === undefined || ours.seq >= w.seq;
      const waiter = this.#waiters.find((w) => (w.types.includes(type) || w.fails.includes(type)) && happenedAfter(w));
      if (waiter?.fails.includes(type)) waiter.reject(new ActionFailedError(waiter.action, type, payload));
      else waiter?.resolve(payload);
    }
    for (const listener of [...(this.#listeners.get(type) ?? [])]) listener(payload, event);
    for (const push of this.#iterators) push(event);
    if (type === "call.hangup") for (const push of [...this.#iterators]) push(undefined);
  }

  /** An event of another leg of this call's session: the hangup of a transfer's new leg fails that transfer. */
  dispatchSessionLeg(event: TelnyxCallEvent): void {
    if (event.data.event_type !== "call.hangup") return;
    const payload = (event.data.payload ?? {}) as Record<string, unknown>;
    const leg = decodeClientState(payload.client_state);
    const transfer = leg && this.#waiters.find((w) => w.action === "transfer" && w.seq === leg.seq);
    transfer?.reject(new ActionFailedError("transfer", "call.hangup", payload));
  }

  #end(payload: HangupPayload): void {
    if (this.#hangup) return;
    this.#hangup = payload;
    for (const waiter of [...this.#waiters]) {
      if (waiter.types.includes("call.hangup")) waiter.resolve(payload);
      else waiter.reject(new CallEndedError(this.id, payload));
    }
    this.#endedResolve(payload);
  }

  on(type: string, listener: Listener): () => void {
    const set = this.#listeners.get(type) ?? new Set<Listener>();
    set.add(listener);
    this.#listeners.set(type, set);
    return () => set.delete(listener);
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
            new FlowError(`call.events() fell ${MAX_BUFFERED_EVENTS} events behind on call ${this.id}; read it faster.`),
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

/** `call.bridge(agent)`: a call of these flows stands for `{ call_control_id: agent.id }`. */
function bridgeBody(target: unknown): unknown {
  return target instanceof FlowCall ? { call_control_id: target.id } : target;
}

function checkTimeout(ms: number): number {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`timeoutMs must be a finite number of milliseconds > 0, got ${String(ms)}`);
  }
  return ms;
}

export type { EventPayload };
