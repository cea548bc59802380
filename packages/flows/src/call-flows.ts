// CallFlows: runs a flow (plain async code) per call. Webhooks come in through the webhooks package's router
// (verified, each event once, a call's events one at a time and in order), reach the call they belong to,
// and settle what its flow awaits.
import type { Telnyx } from "@telnyx-voice/client";
import type { DialRequest, TelnyxCallEvent } from "@telnyx-voice/types";
import {
  type NodeRequestLike,
  type NodeResponseLike,
  type RelayStore,
  WebhookBusyError,
  type WebhookEvent,
  type WebhookRouter,
  type WebhookStore,
  type WebhooksBase,
} from "@telnyx-voice/webhooks";
import { FlowCall, MAX_TIMER_MS } from "./call.js";
import { DEFAULT_CLIENT_STATE_LIMIT, decodeClientState, encodeClientState } from "./client-state.js";
import { CallEndedError, DialFailedError, FlowError, FlowStateError, FlowTimeoutError } from "./errors.js";
import { Instances } from "./instances.js";
import { telemetry } from "./telemetry.js";
import type { Call, CallInfo, FlowCommandOptions, MediaStreamSource } from "./types.js";

export interface CallFlowsOptions {
  /** The client commands are sent with. */
  telnyx: Telnyx;
  /** Verifies the webhooks (its public key, tolerance, body limits). */
  webhooks: WebhooksBase;
  /**
   * Where the webhooks router keeps each event's claim and each call's turn (exactly once, one at a time, in
   * order). Default: a fresh `memoryStore()`: flows on one process. With `redisStore` from `@telnyx-voice/redis`,
   * shared by every instance, each call's flow runs on one instance and its events reach it wherever they
   * arrive; see "Many instances" in the README.
   */
  store?: WebhookStore | (WebhookStore & RelayStore) | undefined;
  /** The router's reorder window: a call's events arriving within it reach its flow in `occurred_at` order (default 0). */
  reorderWindowMs?: number | undefined;
  /**
   * Many instances: how long an instance stays the owner of its calls after its last heartbeat (sent every
   * `leaseMs / 3`); when it lapses, another instance hangs its calls up. Also the router's lease. Default 10000.
   */
  leaseMs?: number | undefined;
  /** Many instances: this instance's name, unique among them (default: random). */
  instanceId?: string | undefined;
  /** Milliseconds an await waits for what completes it, unless a command says otherwise (default 60000). */
  timeoutMs?: number | undefined;
  /**
   * Milliseconds a call still receives, after its hangup, the events Telnyx sends after it (`eventsAfterHangup`:
   * a recording saved or failed, its transcription, the call's cost, an AI conversation's end), through
   * `call.on`, `call.waitFor` and the awaits they complete (`recordStop`). Later, they go to `otherwise`.
   * Default 120000.
   */
  afterHangupMs?: number | undefined;
  /** Hang a call up when its flow throws (default true). A flow ended by the caller hanging up is not an error. */
  hangupOnError?: boolean | undefined;
  /** Where errors of flows (and of hanging their calls up) are reported. Default: console.error. */
  onError?: ((error: unknown, call: CallInfo | undefined) => void) | undefined;
  /** Longest `client_state` (base64 characters) a flow sends; `call.state` beyond it is refused (default 4096). */
  clientStateLimit?: number | undefined;
  /** Sees every verified event before the flows do (logs, metrics); what it throws is reported, not fatal. */
  onEvent?: ((event: WebhookEvent) => void) | undefined;
  /**
   * The `MediaStreams` (from @telnyx-voice/media) that Telnyx's media WebSockets arrive at on this process: a
   * flow's `await call.mediaStream()` gets its call's stream from it. The socket must reach the process that
   * runs the flow (with many instances, route `stream_url` to the instance named in client_state).
   */
  media?: MediaStreamSource | undefined;
}

/** How many ended calls are remembered (so their late webhooks go to `otherwise`, never start a flow). */
const ENDED_CALLS_REMEMBERED = 10_000;

type Flow<State> = (call: Call<State>) => unknown;

interface PendingDial<State> {
  state: State | undefined;
  /** The traceparent its call carries (telemetry). */
  trace: string | undefined;
  call: FlowCall<State> | undefined;
  settle(error: Error | undefined): void;
}

/**
 * Call flows as plain async code:
 * `flows.incoming(async (call) => { await call.answer(); await call.speak({ payload: "Hi", voice: "female" }); })`.
 */
export class CallFlows<State = unknown> {
  readonly #telnyx: Telnyx;
  readonly #router: WebhookRouter;
  readonly #timeoutMs: number;
  readonly #media: MediaStreamSource | undefined;
  readonly #afterHangupMs: number;
  readonly #hangupOnError: boolean;
  readonly #onError: (error: unknown, call: CallInfo | undefined) => void;
  readonly #clientStateLimit: number;
  readonly #calls = new Map<string, FlowCall<State>>();
  /** The same calls by `call_leg_id`: recording events carry no `call_control_id`. */
  readonly #legs = new Map<string, FlowCall<State>>();
  /** The calls by `call_session_id`, for the other legs of their sessions (a transfer's new leg). */
  readonly #sessions = new Map<string, FlowCall<State>>();
  readonly #ended = new Set<string>();
  readonly #dials = new Map<string, PendingDial<State>>();
  /** The incoming flows still running (a drain waits for them, after-hangup awaits included). */
  readonly #flowsRunning = new Map<FlowCall<State>, Promise<unknown>>();
  #draining = false;
  #incoming: Flow<State> | undefined;
  #otherwise: ((event: WebhookEvent) => unknown) | undefined;
  readonly #onEvent: ((event: WebhookEvent) => void) | undefined;
  /** Many instances: this instance's name, and its part among them (heartbeat, relay, sweep). */
  readonly #instance: string;
  readonly #leaseMs: number;
  readonly #shared: Instances | undefined;

  constructor(options: CallFlowsOptions) {
    if (!options || typeof options !== "object") {
      throw new TypeError("new CallFlows({ telnyx, webhooks }): pass an options object");
    }
    const { telnyx, webhooks } = options;
    if (!telnyx?.calls?.actions) throw new TypeError("new CallFlows({ telnyx }): telnyx must be a Telnyx client");
    if (typeof webhooks?.router !== "function") {
      throw new TypeError(
        "new CallFlows({ webhooks }): webhooks must be a Webhooks instance from @telnyx-voice/webhooks",
      );
    }
    this.#telnyx = telnyx;
    this.#timeoutMs = positive("timeoutMs", options.timeoutMs, 60_000);
    this.#afterHangupMs = positive("afterHangupMs", options.afterHangupMs, 120_000);
    this.#clientStateLimit = positive("clientStateLimit", options.clientStateLimit, DEFAULT_CLIENT_STATE_LIMIT);
    this.#hangupOnError = options.hangupOnError ?? true;
    this.#onError = options.onError ?? ((error) => console.error("telnyx-voice flows:", error));
    this.#onEvent = options.onEvent;
    if (options.media !== undefined && typeof options.media?.streamFor !== "function") {
      throw new TypeError("new CallFlows({ media }): media must be a MediaStreams instance from @telnyx-voice/media");
    }
    this.#media = options.media;
    this.#leaseMs = positive("leaseMs", options.leaseMs, 10_000);
    this.#instance = options.instanceId ?? `flows-${randomToken()}`;
    this.#router = webhooks
      .router({ store: options.store, reorderWindowMs: options.reorderWindowMs, leaseMs: this.#leaseMs })
      .otherwise((event) => this.handle(event));
    const store = options.store;
    if (store && typeof (store as Partial<RelayStore>).openRelay === "function") {
      this.#shared = new Instances({
        store: store as RelayStore,
        instance: this.#instance,
        leaseMs: this.#leaseMs,
        actions: telnyx.calls.actions,
        onRelayed: (event) => this.#route(event, true),
        onError: (error) => this.#onError(error, undefined),
      });
    }
  }

  /** This instance's name among many (`instanceId`): the owner named in its calls' client_state. */
  get instanceId(): string {
    return this.#instance;
  }

  /** Stops this instance's heartbeat, sweeps and relay (its flows' calls go on; with many instances they are swept). */
  async close(): Promise<void> {
    await this.#shared?.close();
  }

  /**
   * For a deploy (on SIGTERM): takes no new call (an incoming call's first webhook is answered 503 `draining`, so
   * Telnyx delivers it to another instance; `flows.dial()` rejects), runs the calls it has to their end, still
   * receiving their events wherever they arrive, then closes. At `timeoutMs` (default 5 minutes) the calls still
   * up are hung up (each reported to `onError`), as a dead instance's would be, and it closes all the same.
   * Resolves with how many calls it ran to their end and how many it hung up at the bound.
   */
  async drain(options: { timeoutMs?: number | undefined } = {}): Promise<{ finished: number; hungUp: number }> {
    const limit = positive("drain timeoutMs", options.timeoutMs, 300_000);
    this.#draining = true;
    const running = () => [...this.#calls.values()].filter((call) => !call.isEnded);
    const before = new Set([...this.#calls.values(), ...this.#flowsRunning.keys()]);
    const deadline = Date.now() + limit;
    while ((running().length > 0 || this.#flowsRunning.size > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now()))));
    }
    const left = running();
    for (const call of left) {
      this.#onError(
        new FlowError(`Call ${call.id} was still up when drain's timeoutMs (${limit} ms) passed: hung up.`),
        call,
      );
      await call.hangup().catch((error: unknown) => {
        if (!(error instanceof CallEndedError)) this.#onError(error, call);
      });
    }
    await this.close();
    return { finished: before.size - left.length, hungUp: left.length };
  }

  /** The flow to run for each incoming call, once per call however often its `call.initiated` is delivered. */
  incoming(flow: Flow<State>): this {
    if (typeof flow !== "function") throw new TypeError("flows.incoming(flow): flow must be a function");
    this.#incoming = flow;
    return this;
  }

  /** Receives the events no flow takes (calls these flows did not dial or answer, events without a call). */
  otherwise(handler: (event: WebhookEvent) => unknown): this {
    this.#otherwise = handler;
    return this;
  }

  /**
   * Dials, and resolves with the call once it is answered. Busy, no answer, rejection or a failure before the
   * answer reject with `DialFailedError` (its `hangup_cause` and `sip_hangup_cause` say which); no answer within
   * `timeoutMs` hangs the call up and rejects with `FlowTimeoutError`.
   */
  async dial(
    body: Omit<DialRequest, "client_state">,
    options?: FlowCommandOptions & { state?: State | undefined },
  ): Promise<Call<State>> {
    if (body === null || typeof body !== "object") throw new TypeError("flows.dial(body): the body must be an object");
    if ("client_state" in body) {
      throw new FlowError(
        "flows.dial({ client_state }): pass { state } in the options; a flow carries it in client_state.",
      );
    }
    if (this.#draining)
      throw new FlowError("flows.dial(): this instance is draining (flows.drain()); dial from another.");
    const { timeoutMs, state, ...requestOptions } = options ?? {};
    const limit = positive("timeoutMs", timeoutMs, this.#timeoutMs);
    const token = randomToken();
    const owner = this.#shared ? this.#instance : undefined;
    // Its span, until answered; the call's webhooks join its trace through the traceparent in client_state.
    const observed = telemetry()?.dial();
    const trace = observed?.traceparent;
    const clientState = encodeClientState({ state, seq: 1, dial: token, owner, trace }, this.#clientStateLimit);
    let settle!: (error: Error | undefined) => void;
    const answered = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    answered.catch(() => undefined);
    const pending: PendingDial<State> = { state, trace, call: undefined, settle };
    this.#dials.set(token, pending);
    const timer = setTimeout(() => {
      const call = pending.call;
      settle(new FlowTimeoutError("dial", ["call.answered"], limit, call?.arrivals() ?? []));
      if (call && !call.isEnded) call.hangup().catch((e: unknown) => this.#onError(e, call));
    }, limit);
    const dialling = async () => {
      try {
        const send = () =>
          this.#telnyx.calls.dial({ ...body, client_state: clientState } as DialRequest, requestOptions);
        const { data } = await (observed ? observed.run(send) : send());
        const call = this.#dialled(pending, data.call_control_id, data as Record<string, unknown>);
        await answered;
        return call;
      } finally {
        clearTimeout(timer);
        this.#dials.delete(token);
      }
    };
    const running = dialling();
    observed?.follow(running);
    return running;
  }

  /** Hands one verified event to the flow of its call. The router calls it; call it yourself to wire your own. */
  readonly handle = (event: WebhookEvent): Promise<void> => {
    try {
      this.#onEvent?.(event);
    } catch (error) {
      this.#onError(error, undefined);
    }
    return this.#route(event, false);
  };

  /**
   * Finds an event's call: by `call_control_id`, else by `call_leg_id` (recording events carry only that). An
   * event no flow takes goes to `otherwise`, never nowhere.
   */
  async #route(event: WebhookEvent, relayed: boolean): Promise<void> {
    const payload = (event.data.payload ?? {}) as Record<string, unknown>;
    const id = stringOr(payload.call_control_id);
    const leg = stringOr(payload.call_leg_id);
    const known = (id && this.#calls.get(id)) || (leg && this.#legs.get(leg)) || undefined;
    if (known) {
      if (!known.receives(event.data.event_type)) return this.#otherwiseOf(event);
      return this.#dispatch(known, event as TelnyxCallEvent);
    }
    let tag = decodeClientState<State>(payload.client_state);
    // Another instance runs this call's flow: the event goes there (the router holds the call meanwhile).
    if (!relayed && this.#shared && tag?.owner && tag.owner !== this.#instance && (id || leg)) {
      const forwarded = await this.#shared.forward(tag.owner, id, event);
      if (forwarded === "delivered") return;
      if (forwarded === "orphan") return this.#otherwiseOf(event);
      // Named by another deployment's client_state (another app on the account): not a flow's of ours.
      tag = undefined;
    }
    if (id === undefined || this.#ended.has(id)) return this.#otherwiseOf(event);
    const dial = tag?.dial ? this.#dials.get(tag.dial) : undefined;
    if (dial) return this.#dispatch(this.#dialled(dial, id, payload), event as TelnyxCallEvent);
    if (event.data.event_type === "call.initiated" && payload.direction === "incoming") {
      // Draining: a new call starts on another instance (Telnyx delivers this webhook again).
      if (this.#draining)
        throw new WebhookBusyError("draining", `This instance is draining: call ${id} starts elsewhere.`);
      return this.#startIncoming(id, payload, event as TelnyxCallEvent, tag?.state, tag?.trace);
    }
    const session = payload.call_session_id;
    const sibling = typeof session === "string" ? this.#sessions.get(session) : undefined;
    if (sibling) sibling.dispatchSessionLeg(event as TelnyxCallEvent);
    await this.#otherwiseOf(event);
  }

  async #otherwiseOf(event: WebhookEvent): Promise<void> {
    await this.#otherwise?.(event);
  }

  /** A Fetch handler (Hono, Next.js, Workers, Deno, Bun) that verifies webhooks and runs the flows. */
  fetchHandler(): (request: Request) => Promise<Response> {
    return this.#router.fetchHandler();
  }

  /** A node:http / Express handler that verifies webhooks and runs the flows. */
  nodeHandler<Req extends NodeRequestLike = NodeRequestLike, Res extends NodeResponseLike = NodeResponseLike>(): (
    req: Req,
    res: Res,
    next?: (error?: unknown) => void,
  ) => Promise<void> {
    return this.#router.nodeHandler<Req, Res>();
  }

  #dispatch(call: FlowCall<State>, event: TelnyxCallEvent): void {
    call.dispatch(event);
    if (event.data.event_type === "call.hangup") this.#shared?.disown(call.id);
  }

  /** `afterHangupMs` after its hangup, a call is forgotten: its later events go to `otherwise`. */
  #retire(call: CallInfo): void {
    if (call.callSessionId && this.#sessions.get(call.callSessionId) === call)
      this.#sessions.delete(call.callSessionId);
    if (this.#calls.get(call.id) === call) this.#calls.delete(call.id);
    if (call.callLegId && this.#legs.get(call.callLegId) === call) this.#legs.delete(call.callLegId);
    this.#ended.add(call.id);
    if (this.#ended.size > ENDED_CALLS_REMEMBERED) this.#ended.delete(this.#ended.values().next().value as string);
  }

  #newCall(
    id: string,
    payload: Record<string, unknown>,
    direction: "incoming" | "outgoing",
    state: State | undefined,
    trace: string | undefined,
  ) {
    const call = new FlowCall<State>(
      {
        actions: this.#telnyx.calls.actions,
        timeoutMs: this.#timeoutMs,
        clientStateLimit: this.#clientStateLimit,
        owner: this.#shared ? this.#instance : undefined,
        afterHangupMs: this.#afterHangupMs,
        retire: (call) => this.#retire(call),
        media: this.#media,
        unheard: (event) => {
          Promise.resolve(this.#otherwiseOf(event)).catch((error: unknown) => this.#onError(error, undefined));
        },
      },
      {
        id,
        callLegId: stringOr(payload.call_leg_id),
        callSessionId: stringOr(payload.call_session_id),
        direction,
        from: stringOr(payload.from),
        to: stringOr(payload.to),
        state,
        // A dialled call's first command is the dial (count 1); an incoming call has had none.
        seq: direction === "outgoing" ? 1 : 0,
        trace,
      },
    );
    this.#calls.set(id, call);
    if (call.callLegId) this.#legs.set(call.callLegId, call);
    if (call.callSessionId && !this.#sessions.has(call.callSessionId)) this.#sessions.set(call.callSessionId, call);
    this.#shared?.own(id);
    return call;
  }

  /** The call of a dial, made on its first sign (the dial's answer or a webhook, whichever comes first). */
  #dialled(pending: PendingDial<State>, id: string, payload: Record<string, unknown>): FlowCall<State> {
    if (pending.call) return pending.call;
    const call = this.#newCall(id, payload, "outgoing", pending.state, pending.trace);
    pending.call = call;
    const stop = call.on("call.answered", () => {
      stop();
      pending.settle(undefined);
    });
    call.ended.then((hangup) => pending.settle(new DialFailedError(id, hangup)));
    return call;
  }

  #startIncoming(
    id: string,
    payload: Record<string, unknown>,
    event: TelnyxCallEvent,
    arrived: State | undefined,
    trace: string | undefined,
  ): void {
    const flow = this.#incoming;
    if (!flow) {
      this.#onError(
        new FlowError(`Call ${id} came in, but no flow is registered: call flows.incoming(flow).`),
        undefined,
      );
      return;
    }
    // A call that arrives with a flow's client_state (a transfer's target_leg_client_state) keeps its state, if
    // it can carry it on: one over clientStateLimit would make every command (the answer first) refuse.
    let state = arrived;
    try {
      encodeClientState({ state, seq: 1 }, this.#clientStateLimit);
    } catch (error) {
      this.#onError(
        new FlowStateError(
          `Call ${id} came in with a client_state whose state is over clientStateLimit (${this.#clientStateLimit}): ` +
            `it was dropped so the call can be answered (${(error as Error).message})`,
        ),
        undefined,
      );
      state = undefined;
    }
    const call = this.#newCall(id, payload, "incoming", state, trace);
    call.dispatch(event);
    const running = Promise.resolve()
      .then(() => call.runFlow(() => flow(call)))
      .then(undefined, (error: unknown) => {
        // The caller hanging up mid-flow ends the flow; that is how calls end, not a fault.
        if (error instanceof CallEndedError && call.isEnded) return;
        this.#onError(error, call);
        if (this.#hangupOnError && !call.isEnded) {
          call.hangup().catch((e: unknown) => {
            if (!(e instanceof CallEndedError)) this.#onError(e, call);
          });
        }
      })
      .finally(() => this.#flowsRunning.delete(call));
    this.#flowsRunning.set(call, running);
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new RangeError(
      `CallFlows: ${name} must be a number of milliseconds from 1 to ${MAX_TIMER_MS}, got ${String(value)}`,
    );
  }
  return value;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function randomToken(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(9));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
