// CallFlows: runs a flow (plain async code) per call. Webhooks come in through the webhooks package's router
// (verified, each event once, a call's events one at a time and in order), reach the call they belong to,
// and settle what its flow awaits.
import type { Telnyx } from "@telnyx-voice/client";
import type { DialRequest, TelnyxCallEvent } from "@telnyx-voice/types";
import {
  type NodeRequestLike,
  type NodeResponseLike,
  type Relay,
  type RelayStore,
  WebhookBusyError,
  type WebhookEvent,
  type WebhookRouter,
  type WebhookStore,
  type WebhooksBase,
} from "@telnyx-voice/webhooks";
import { FlowCall } from "./call.js";
import { DEFAULT_CLIENT_STATE_LIMIT, decodeClientState, encodeClientState } from "./client-state.js";
import { CallEndedError, DialFailedError, FlowError, FlowTimeoutError } from "./errors.js";
import type { Call, CallInfo, FlowCommandOptions } from "./types.js";

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
  /** Hang a call up when its flow throws (default true). A flow ended by the caller hanging up is not an error. */
  hangupOnError?: boolean | undefined;
  /** Where errors of flows (and of hanging their calls up) are reported. Default: console.error. */
  onError?: ((error: unknown, call: CallInfo | undefined) => void) | undefined;
  /** Longest `client_state` (base64 characters) a flow sends; `call.state` beyond it is refused (default 4096). */
  clientStateLimit?: number | undefined;
  /** Sees every verified event before the flows do (logs, metrics); what it throws is reported, not fatal. */
  onEvent?: ((event: WebhookEvent) => void) | undefined;
}

/** How long the ids of ended calls are remembered (so their late webhooks are ignored), as a count. */
const ENDED_CALLS_REMEMBERED = 10_000;
/** How long an event relayed to the instance that runs its call may take there (under Telnyx's webhook timeout). */
const RELAY_TIMEOUT_MS = 4000;

type Flow<State> = (call: Call<State>) => unknown;

interface PendingDial<State> {
  state: State | undefined;
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
  readonly #hangupOnError: boolean;
  readonly #onError: (error: unknown, call: CallInfo | undefined) => void;
  readonly #clientStateLimit: number;
  readonly #calls = new Map<string, FlowCall<State>>();
  /** The calls by `call_session_id`, for the other legs of their sessions (a transfer's new leg). */
  readonly #sessions = new Map<string, FlowCall<State>>();
  readonly #ended = new Set<string>();
  readonly #dials = new Map<string, PendingDial<State>>();
  #incoming: Flow<State> | undefined;
  #otherwise: ((event: WebhookEvent) => unknown) | undefined;
  readonly #onEvent: ((event: WebhookEvent) => void) | undefined;
  /** Many instances: the shared store, this instance's name, its relay, and the timers that keep it alive. */
  readonly #shared: (WebhookStore & RelayStore) | undefined;
  readonly #instance: string;
  readonly #leaseMs: number;
  readonly #relay: Promise<Relay> | undefined;
  readonly #timers: Array<ReturnType<typeof setInterval>> = [];

  constructor(options: CallFlowsOptions) {
    if (!options || typeof options !== "object") {
      throw new TypeError("new CallFlows({ telnyx, webhooks }): pass an options object");
    }
    const { telnyx, webhooks } = options;
    if (!telnyx?.calls?.actions) throw new TypeError("new CallFlows({ telnyx }): telnyx must be a Telnyx client");
    if (typeof webhooks?.router !== "function") {
      throw new TypeError("new CallFlows({ webhooks }): webhooks must be a Webhooks instance from @telnyx-voice/webhooks");
    }
    this.#telnyx = telnyx;
    this.#timeoutMs = positive("timeoutMs", options.timeoutMs, 60_000);
    this.#clientStateLimit = positive("clientStateLimit", options.clientStateLimit, DEFAULT_CLIENT_STATE_LIMIT);
    this.#hangupOnError = options.hangupOnError ?? true;
    this.#onError = options.onError ?? ((error) => console.error("telnyx-voice flows:", error));
    this.#onEvent = options.onEvent;
    this.#leaseMs = positive("leaseMs", options.leaseMs, 10_000);
    this.#instance = options.instanceId ?? `flows-${randomToken()}`;
    this.#router = webhooks
      .router({ store: options.store, reorderWindowMs: options.reorderWindowMs, leaseMs: this.#leaseMs })
      .otherwise((event) => this.handle(event));
    const store = options.store;
    if (store && typeof (store as Partial<RelayStore>).openRelay === "function") {
      this.#shared = store as WebhookStore & RelayStore;
      this.#relay = this.#startSharing(this.#shared);
      this.#relay.catch((error: unknown) => this.#onError(error, undefined));
    }
  }

  /** This instance's name among many (`instanceId`): the owner named in its calls' client_state. */
  get instanceId(): string {
    return this.#instance;
  }

  /** Stops this instance's heartbeat, sweeps and relay (its flows' calls go on; with many instances they are swept). */
  async close(): Promise<void> {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    const relay = await this.#relay?.catch(() => undefined);
    await relay?.close();
  }

  /**
   * Many instances: listen for the events other instances relay here, say this instance is alive every
   * `leaseMs / 3`, and every `leaseMs` hang up the calls of instances that died (their flows died with them).
   */
  async #startSharing(store: WebhookStore & RelayStore): Promise<Relay> {
    const relay = await store.openRelay(this.#instance, async (message) => {
      await this.#route(JSON.parse(message) as WebhookEvent, true);
      return "ok";
    });
    const beat = () => store.heartbeat(this.#instance, this.#leaseMs).catch((e: unknown) => this.#onError(e, undefined));
    await beat();
    const sweep = async () => {
      try {
        for (const id of await store.takeOrphans()) await this.#hangUpOrphan(id);
      } catch (error) {
        this.#onError(error, undefined);
      }
    };
    this.#timers.push(setInterval(beat, this.#leaseMs / 3), setInterval(sweep, this.#leaseMs));
    for (const timer of this.#timers) (timer as { unref?: () => void }).unref?.();
    return relay;
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
      throw new FlowError("flows.dial({ client_state }): pass { state } in the options; a flow carries it in client_state.");
    }
    const { timeoutMs, state, ...requestOptions } = options ?? {};
    const limit = positive("timeoutMs", timeoutMs, this.#timeoutMs);
    const token = randomToken();
    const owner = this.#shared ? this.#instance : undefined;
    const clientState = encodeClientState({ state, seq: 1, dial: token, owner }, this.#clientStateLimit);
    let settle!: (error: Error | undefined) => void;
    const answered = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    answered.catch(() => undefined);
    const pending: PendingDial<State> = { state, call: undefined, settle };
    this.#dials.set(token, pending);
    const timer = setTimeout(() => {
      settle(new FlowTimeoutError("dial", ["call.answered"], limit));
      const call = pending.call as unknown as Call<State> | undefined;
      if (call && !call.isEnded) call.hangup().catch((e: unknown) => this.#onError(e, call));
    }, limit);
    try {
      const { data } = await this.#telnyx.calls.dial({ ...body, client_state: clientState } as DialRequest, requestOptions);
      this.#dialled(pending, data.call_control_id, data as Record<string, unknown>);
      await answered;
      return pending.call as unknown as Call<State>;
    } finally {
      clearTimeout(timer);
      this.#dials.delete(token);
    }
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

  async #route(event: WebhookEvent, relayed: boolean): Promise<void> {
    const payload = (event.data.payload ?? {}) as Record<string, unknown>;
    const id = payload.call_control_id;
    if (typeof id !== "string") return void (await this.#otherwise?.(event));
    const known = this.#calls.get(id);
    if (known) return this.#dispatch(known, event as TelnyxCallEvent);
    if (this.#ended.has(id)) return;
    const tag = decodeClientState(payload.client_state);
    // Another instance runs this call's flow: the event goes there (the router holds the call meanwhile).
    if (!relayed && this.#shared && tag?.owner && tag.owner !== this.#instance) {
      return this.#forward(tag.owner, id, event);
    }
    const dial = tag?.dial ? this.#dials.get(tag.dial) : undefined;
    if (dial) return this.#dispatch(this.#dialled(dial, id, payload), event as TelnyxCallEvent);
    if (event.data.event_type === "call.initiated" && payload.direction === "incoming") {
      return this.#startIncoming(id, payload, event as TelnyxCallEvent);
    }
    const session = payload.call_session_id;
    const sibling = typeof session === "string" ? this.#sessions.get(session) : undefined;
    if (sibling) sibling.dispatchSessionLeg(event as TelnyxCallEvent);
    await this.#otherwise?.(event);
  }

  /**
   * Relays an event to the instance that runs its call. Not listening and no longer alive: that instance died
   * with the flow, so the call is hung up here. Alive but not answering: 503, and Telnyx delivers it again.
   */
  async #forward(owner: string, id: string, event: WebhookEvent): Promise<void> {
    const relay = await (this.#relay as Promise<Relay>);
    let sent: Awaited<ReturnType<Relay["send"]>>;
    try {
      sent = await relay.send(owner, JSON.stringify(event), RELAY_TIMEOUT_MS);
    } catch (error) {
      throw new WebhookBusyError("call_busy", `the instance running call ${id} (${owner}) did not take its event: ${(error as Error).message}`);
    }
    if (sent.delivered) return;
    if (await (this.#shared as RelayStore).isAlive(owner)) {
      throw new WebhookBusyError("call_busy", `the instance running call ${id} (${owner}) is alive but not listening`);
    }
    if (event.data.event_type !== "call.hangup") await this.#hangUpOrphan(id);
  }

  /** A call whose flow died with its instance: hung up (once, whichever instance finds it: one command_id). */
  async #hangUpOrphan(id: string): Promise<void> {
    try {
      await this.#telnyx.calls.actions.hangup(id, { command_id: `flows-orphan:${id}` });
    } catch (error) {
      // Already over (Telnyx answers 422 for a call that ended): nothing left to do.
      if ((error as { status?: number }).status !== 422) this.#onError(error, undefined);
    }
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
    if (event.data.event_type === "call.hangup") this.#forget(call.id);
  }

  #forget(id: string): void {
    const call = this.#calls.get(id);
    if (call?.callSessionId && this.#sessions.get(call.callSessionId) === call) this.#sessions.delete(call.callSessionId);
    this.#calls.delete(id);
    this.#shared?.disownCall(this.#instance, id).catch((error: unknown) => this.#onError(error, undefined));
    this.#ended.add(id);
    if (this.#ended.size > ENDED_CALLS_REMEMBERED) this.#ended.delete(this.#ended.values().next().value as string);
  }

  #newCall(id: string, payload: Record<string, unknown>, direction: "incoming" | "outgoing", state: State | undefined) {
    const call = new FlowCall<State>(
      {
        actions: this.#telnyx.calls.actions,
        timeoutMs: this.#timeoutMs,
        clientStateLimit: this.#clientStateLimit,
        owner: this.#shared ? this.#instance : undefined,
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
      },
    );
    this.#calls.set(id, call);
    if (call.callSessionId && !this.#sessions.has(call.callSessionId)) this.#sessions.set(call.callSessionId, call);
    this.#shared?.ownCall(this.#instance, id).catch((error: unknown) => this.#onError(error, call));
    return call;
  }

  /** The call of a dial, made on its first sign (the dial's answer or a webhook, whichever comes first). */
  #dialled(pending: PendingDial<State>, id: string, payload: Record<string, unknown>): FlowCall<State> {
    if (pending.call) return pending.call;
    const call = this.#newCall(id, payload, "outgoing", pending.state);
    pending.call = call;
    const stop = call.on("call.answered", () => {
      stop();
      pending.settle(undefined);
    });
    call.ended.then((hangup) => pending.settle(new DialFailedError(id, hangup)));
    return call;
  }

  #startIncoming(id: string, payload: Record<string, unknown>, event: TelnyxCallEvent): void {
    const flow = this.#incoming;
    if (!flow) {
      this.#onError(new FlowError(`Call ${id} came in, but no flow is registered: call flows.incoming(flow).`), undefined);
      return;
    }
    // A call that arrives with a flow's client_state (a transfer's target_leg_client_state) keeps its state.
    const call = this.#newCall(id, payload, "incoming", decodeClientState<State>(payload.client_state)?.state);
    call.dispatch(event);
    Promise.resolve()
      .then(() => flow(call as unknown as Call<State>))
      .then(undefined, (error: unknown) => {
        // The caller hanging up mid-flow ends the flow; that is how calls end, not a fault.
        if (error instanceof CallEndedError && call.isEnded) return;
        this.#onError(error, call);
        if (this.#hangupOnError && !call.isEnded) {
          (call as unknown as Call<State>).hangup().catch((e: unknown) => {
            if (!(e instanceof CallEndedError)) this.#onError(e, call);
          });
        }
      });
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`CallFlows: ${name} must be a finite number > 0, got ${String(value)}`);
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
