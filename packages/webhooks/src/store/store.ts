// The seam between the router and shared storage. Each operation is one atomic step in the store (one Lua
// script on Redis, one synchronous block in memory), so no engine needs a read-then-write that two instances
// could interleave. Engines other than the two shipped ones implement this interface and check themselves
// with `storeConformance` from `@telnyx-voice/webhooks/testing`.

/** What {@link WebhookStore.claimEvent} found. */
export type ClaimResult =
  /** The event is now this owner's, for `leaseMs` (renewed while it is handled). */
  | "claimed"
  /** Another owner holds the event (a copy in progress, here or on another instance): wait for its outcome. */
  | "busy"
  /** The event was handled (its done marker has not expired): answer 200 without handling it again. */
  | "done";

/** One event's turn in its call: the call, the event, who claimed it and when it occurred. */
export interface CallTurn {
  /** The call the event belongs to (by default its `call_control_id`). */
  callKey: string;
  /** The event's `data.id`. */
  eventId: string;
  /** The owner that claimed the event ({@link WebhookStore.claimEvent}). */
  owner: string;
  /**
   * The event's `occurred_at` in milliseconds since the epoch, fractions kept (Telnyx sends microseconds).
   * The call's pending events are ordered by it, ties by `eventId`.
   */
  occurredAtMs: number;
}

/** What {@link WebhookStore.enterCall} decided. */
export type EnterResult =
  /** This event now holds the call's lease. `late`: an event of the call that occurred later was already handled. */
  | { entered: true; late: boolean }
  /**
   * Not yet: `"waiting"` while another event holds the call's lease or an earlier event of the call is pending;
   * `"gone"` when this turn is no longer pending (its lease lapsed and a later `enterCall` dropped it), so it
   * must not go on.
   */
  | { entered: false; reason: "waiting" | "gone" };

/**
 * Shared state for `webhooks.router({ store })`: exactly once per event, one at a time and in order per call,
 * and the pace of outbound dials, on one process ({@link memoryStore}) or many (`redisStore` from
 * `@telnyx-voice/redis`).
 *
 * Every operation is atomic in the store. Every record it writes expires: an event's claim `leaseMs` after
 * its last renewal, its done marker `doneTtlMs` after completion, a call's records `ttlMs` after its last
 * join or leave, a pending turn and the call lease `leaseMs` after their last renewal, a pace key once its
 * slots have passed. Times are the store's own clock, so instances' clocks need not agree.
 *
 * The router's sequence for one delivery: `claimEvent`; if the event has a call, `joinCall` at once, then
 * after the reorder window `enterCall` until it enters; the handler runs while the router renews what it holds
 * every `leaseMs / 3` (`renew`); then `completeEvent` and `leaveCall(handled: true)`, or on failure
 * `leaveCall(handled: false)` and `releaseEvent`.
 *
 * A store that also has the combined operations ({@link WebhookStore.claimAndJoin}, `completeAndLeave`,
 * `releaseAndLeave` and `renewHeld`, all four or none) saves round trips: for an event with a call the router
 * claims and joins (and, without a reorder window, tries to enter) in one step, completes and leaves in one,
 * and renews everything one router holds in one call per `leaseMs / 3`.
 */
export interface WebhookStore {
  /**
   * Claims `eventId` for `owner` for `leaseMs`, unless it is done or another owner's claim has not lapsed.
   * A claim that lapsed (its instance died) is taken over.
   */
  claimEvent(eventId: string, owner: string, leaseMs: number): Promise<ClaimResult>;

  /**
   * Marks `eventId` done for `doneTtlMs`, dropping the claim. The handler succeeded, so the marker is written
   * even when `owner` no longer holds the claim (it lapsed and another copy took it; that copy will find the
   * event done). Resolves `true` when `owner` still held the claim, `false` when it had lost it.
   */
  completeEvent(eventId: string, owner: string, doneTtlMs: number): Promise<boolean>;

  /** Drops `owner`'s claim (its handler failed), so the next copy or redelivery claims the event. */
  releaseEvent(eventId: string, owner: string): Promise<void>;

  /**
   * Extends what `owner` holds by `leaseMs` from now: the event's claim, and when `callKey` is given, its
   * pending turn and the call's lease if it holds them. Resolves `true` while the claim is still `owner`'s.
   */
  renew(eventId: string, owner: string, leaseMs: number, callKey?: string): Promise<boolean>;

  /**
   * Registers a claimed event as pending for its call, ordered by `occurredAtMs` then `eventId`, alive for
   * `leaseMs` (renewed by `renew`); the call's records live `ttlMs` from now. Joining again replaces the turn.
   */
  joinCall(turn: CallTurn, leaseMs: number, ttlMs: number): Promise<void>;

  /**
   * Takes the call's lease for `leaseMs` if it is free (or lapsed) and `turn` is the earliest pending event of
   * the call. First drops pending turns at the head whose lease lapsed (their instance died).
   */
  enterCall(turn: CallTurn, leaseMs: number): Promise<EnterResult>;

  /**
   * Ends `turn`: removes it from the pending events (if `owner`'s), frees the call's lease (if `owner`'s) and,
   * when the handler ran (`handled`), raises the call's high-water mark to `occurredAtMs`. Later events older
   * than the mark enter with `late: true`. The call's records live `ttlMs` from now.
   */
  leaveCall(turn: CallTurn, handled: boolean, ttlMs: number): Promise<void>;

  /**
   * Reserves the next free slot of `key`, slots spaced `intervalMs` apart across every instance sharing the
   * store, and resolves with the milliseconds to wait until it (0 when free now). The client's `dialRate`
   * paces `calls.dial` with it.
   */
  reserve(key: string, intervalMs: number): Promise<number>;

  /**
   * Optional, with `completeAndLeave`, `releaseAndLeave` and `renewHeld` (the combined operations: a store has
   * all four or none). `claimEvent(turn.eventId, turn.owner, leaseMs)` and, when that claimed it, `joinCall(turn,
   * leaseMs, ttlMs)`, as one atomic step; with `enter`, then `enterCall(turn, leaseMs)` in the same step. The
   * router uses it for every event with a call, so a delivery costs one round trip where it cost two or three.
   *
   * An event claimed here belongs to the combined operations: the store may keep its claim with its call
   * (redisStore does, so that on a Redis Cluster one script can touch both), so it is completed, released and
   * renewed only through `completeAndLeave`, `releaseAndLeave` and `renewHeld` (with its `callKey`), and
   * `claimEvent` of its id alone need not see it.
   */
  claimAndJoin?(turn: CallTurn, leaseMs: number, ttlMs: number, enter: boolean): Promise<ClaimAndJoinResult>;

  /**
   * Optional (a combined operation): `completeEvent(turn.eventId, turn.owner, doneTtlMs)` and `leaveCall(turn,
   * true, ttlMs)` as one atomic step, for an event claimed with {@link WebhookStore.claimAndJoin}. Resolves as
   * `completeEvent` does: `true` when `turn.owner` still held the claim.
   */
  completeAndLeave?(turn: CallTurn, doneTtlMs: number, ttlMs: number): Promise<boolean>;

  /**
   * Optional (a combined operation): `leaveCall(turn, false, ttlMs)` and `releaseEvent(turn.eventId,
   * turn.owner)` as one atomic step, for an event claimed with {@link WebhookStore.claimAndJoin} whose handler
   * failed (or whose delivery gave up).
   */
  releaseAndLeave?(turn: CallTurn, ttlMs: number): Promise<void>;

  /**
   * Optional (a combined operation): `renew` for many events at once, so that a router renews everything it
   * holds with one call every `leaseMs / 3` instead of a call per delivery. An item with a `callKey` is an event
   * claimed with {@link WebhookStore.claimAndJoin}: its claim, its pending turn and its call's lease (each if
   * still the owner's) are extended; one without is a claim `claimEvent` took. Resolves with one boolean per
   * item, in order: whether the claim is still the owner's.
   */
  renewHeld?(held: readonly HeldEvent[], leaseMs: number): Promise<boolean[]>;

  /**
   * Optional: calls `listener` after every operation that may let a waiting delivery go on (complete, release,
   * leave), so waits end at once instead of at the next poll. Returns the unsubscribe function.
   * A store may leave it out: the router then polls (5 ms, backing off to 50 ms). With it, the router polls
   * only as a backstop for what no operation announces (a lease lapsing) or an announcement lost on its way
   * between processes (25 ms, backing off to 250 ms). A store shared between processes announces through
   * the store itself (redisStore: pub/sub), so every instance's waits are woken.
   *
   * The listener is told what changed, so that only the deliveries that may go on are woken (waking every
   * waiter on every change costs the square of the number waiting). A store that cannot tell calls it without
   * an argument, and every waiter is woken.
   */
  onChange?(listener: (change?: StoreChange) => void): () => void;
}

/**
 * What {@link WebhookStore.claimAndJoin} found and did: the claim's outcome and, when the event was claimed and
 * entering was asked for, what entering decided (the event is joined either way).
 */
export type ClaimAndJoinResult =
  | { claim: "busy" | "done"; entry?: undefined }
  | { claim: "claimed"; entry?: EnterResult | undefined };

/** One event a router holds, for {@link WebhookStore.renewHeld}. */
export interface HeldEvent {
  eventId: string;
  /** The owner that claimed it. */
  owner: string;
  /** Its call, when it was claimed with {@link WebhookStore.claimAndJoin} (with its turn in the call). */
  callKey?: string | undefined;
}

/**
 * What a {@link WebhookStore.onChange} notification is about: an event whose claim was completed or released
 * (copies waiting for its outcome may go on), or a call whose lease or pending events changed. For a call,
 * `eventId` names its earliest pending event, the only one that may enter now; a change that names no event
 * wakes every waiting delivery.
 */
export type StoreChange = { eventId: string; callKey?: undefined } | { callKey: string; eventId?: string | undefined };

/** What {@link RelayStore.openRelay} gives an instance: a way to send other instances messages. */
export interface Relay {
  /**
   * Sends `message` to `instance` and resolves with its reply, or `{ delivered: false }` at once when no
   * instance of that name listens (it died, or never was). Rejects when the reply does not come within
   * `timeoutMs`.
   */
  send(
    instance: string,
    message: string,
    timeoutMs: number,
  ): Promise<{ delivered: true; reply: string } | { delivered: false }>;
  /** Stops listening; sends after it reject. */
  close(): Promise<void>;
}

/**
 * Optional, for stores shared by many instances (`redisStore`): what `@telnyx-voice/flows` needs so that each
 * call's flow runs on one instance, that call's events reach it wherever the load balancer sent them, and the
 * calls of an instance that died are found. A store without it (`memoryStore`) runs flows on one process.
 *
 * Every record expires: an instance's liveness `leaseMs` after its last heartbeat, its list of calls an hour
 * after its last heartbeat (or when a sweeper takes it).
 */
export interface RelayStore {
  /** `instance` is alive for `leaseMs` more. Called every `leaseMs / 3` while it runs. */
  heartbeat(instance: string, leaseMs: number): Promise<void>;
  /** Whether `instance`'s last heartbeat is less than its `leaseMs` old. */
  isAlive(instance: string): Promise<boolean>;
  /**
   * Whether `instance` is one of this deployment's (it sent a heartbeat within the hour and its calls were not
   * taken as orphans since): a `client_state` naming another is some other app's, never a dead owner's.
   * Without it, every instance a `client_state` names is taken for one of this deployment's.
   */
  isKnown?(instance: string): Promise<boolean>;
  /** Records that `instance` runs the flow of call `callKey` (until `disownCall`, or the instance dies). */
  ownCall(instance: string, callKey: string): Promise<void>;
  disownCall(instance: string, callKey: string): Promise<void>;
  /**
   * The calls of instances whose liveness lapsed, each dead instance's taken by exactly one caller (its record
   * is removed as it is taken): what no live instance runs any more.
   */
  takeOrphans(): Promise<string[]>;
  /** Listens as `instance`: `onMessage` handles each message another instance sends here, and its result is the reply. */
  openRelay(instance: string, onMessage: (message: string) => Promise<string>): Promise<Relay>;
}
