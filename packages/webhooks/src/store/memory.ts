// memoryStore(): the WebhookStore of one process, and the router's default. Plain Maps, no timers and no
// dependency, so it runs wherever the package does (Node, Deno, Bun, Workers, browsers). Expired records are
// dropped as writes come (each Map is kept in expiry order by re-inserting on every write that extends a
// record), and the number of records is capped at `maxEntries`. Past the cap, what costs no guarantee goes
// first (finished calls' order records), and only then done markers, each of which lets a late duplicate of
// its event be handled again: that is counted in `stats()` and reported once through `onWarning`.
import type {
  CallTurn,
  ClaimAndJoinResult,
  ClaimResult,
  EnterResult,
  HeldEvent,
  StoreChange,
  WebhookStore,
} from "./store.js";

export interface MemoryStoreOptions {
  /**
   * The most records kept: done markers, calls' order records, claims and pace keys together. Past it the
   * oldest finished calls' order records are dropped first (that costs only `info.late` on a very late event
   * of such a call), then the oldest done markers (that costs exactly-once: a duplicate of a dropped event is
   * handled again, so it is counted and reported); claims and calls in progress are never dropped (the
   * requests in flight bound them). An integer from 1,000 to 10,000,000; default 100,000 (a few tens of MB at
   * most). Size it to hold `doneTtlMs` worth of events and calls.
   */
  maxEntries?: number | undefined;
  /**
   * Receives one warning, the first time `maxEntries` forces out a done marker still within its `doneTtlMs`
   * (from then on exactly-once holds only for events newer than the oldest marker kept). Default:
   * `console.warn`. The router's own default store reports it through `new Webhooks({ onError })`.
   */
  onWarning?: ((warning: Error) => void) | undefined;
}

/** What {@link MemoryStore.stats} reports: what its bound has cost (how full it is: `size`). */
export interface MemoryStoreStats {
  /** Done markers held now: one per event handled within `doneTtlMs`. */
  doneMarkers: number;
  /** Finished calls' order records dropped to stay within `maxEntries` (safe: only `info.late` is lost). */
  evictedCalls: number;
  /**
   * Done markers dropped before their `doneTtlMs` ran out to stay within `maxEntries`: each is an event whose
   * duplicate or redelivery would be handled again. 0 while the bound costs no guarantee; alert on it.
   */
  evictedDoneMarkers: number;
}

/** The in-memory {@link WebhookStore}; `size` is how many records it holds now. */
export interface MemoryStore extends WebhookStore {
  readonly size: number;
  /** Counters for monitoring the bound: see {@link MemoryStoreStats}. */
  stats(): MemoryStoreStats;
  onChange(listener: (change: StoreChange) => void): () => void;
  claimAndJoin(turn: CallTurn, leaseMs: number, ttlMs: number, enter: boolean): Promise<ClaimAndJoinResult>;
  completeAndLeave(turn: CallTurn, doneTtlMs: number, ttlMs: number): Promise<boolean>;
  releaseAndLeave(turn: CallTurn, ttlMs: number): Promise<void>;
  renewHeld(held: readonly HeldEvent[], leaseMs: number): Promise<boolean[]>;
}

interface Claim {
  owner: string;
  until: number;
}

interface Turn {
  eventId: string;
  owner: string;
  occurredAtMs: number;
  until: number;
}

interface CallRecord {
  /** Pending turns, earliest `occurredAtMs` first, ties by `eventId`. */
  pending: Turn[];
  lease: Claim | undefined;
  /** The latest `occurred_at` handled (the high-water mark). */
  high: number | undefined;
  until: number;
}

interface Expiring {
  until: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;

function checkMaxEntries(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_ENTRIES;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1000 || value > 10_000_000) {
    throw new RangeError(
      `memoryStore: \`maxEntries\` must be an integer from 1000 to 10000000 (default ${DEFAULT_MAX_ENTRIES}), got ${String(value)}.`,
    );
  }
  return value;
}

/** Sets `key` last in `map`, so that a Map whose records get the same TTL stays in expiry order. */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/** Drops the expired records at the front of a Map kept in expiry order (and their keys from `linked`). */
function dropExpired(map: Map<string, Expiring>, now: number, linked?: Set<string>): void {
  for (const [key, record] of map) {
    if (record.until > now) return;
    map.delete(key);
    linked?.delete(key);
  }
}

function before(a: { occurredAtMs: number; eventId: string }, b: { occurredAtMs: number; eventId: string }): boolean {
  return a.occurredAtMs < b.occurredAtMs || (a.occurredAtMs === b.occurredAtMs && a.eventId < b.eventId);
}

/**
 * The store of one process: exactly once, one at a time and in order among the deliveries this process
 * receives. No dependency; works on Node, Deno, Bun, Cloudflare Workers and browsers. For many instances use
 * `redisStore` from `@telnyx-voice/redis`.
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxEntries = checkMaxEntries(options.maxEntries);
  const onWarning = options.onWarning ?? ((warning: Error) => console.warn(warning.message));
  if (typeof onWarning !== "function") throw new TypeError("memoryStore: `onWarning` must be a function.");
  const claims = new Map<string, Claim>();
  const done = new Map<string, Expiring>();
  const calls = new Map<string, CallRecord>();
  const paces = new Map<string, Expiring & { next: number }>();
  const listeners = new Set<(change: StoreChange) => void>();
  let evictedCalls = 0;
  let evictedDoneMarkers = 0;
  /**
   * The calls left with no event pending, in the order they were left: what the bound drops first. A call
   * joined again leaves it; one dropped from `calls` (expired, or for the bound) leaves it with it.
   */
  const finished = new Set<string>();

  const size = () => claims.size + done.size + calls.size + paces.size;

  const changed = (change: StoreChange) => {
    if (listeners.size === 0) return;
    // After the current operation has returned, so a listener never runs inside the store's own step.
    queueMicrotask(() => {
      for (const listener of listeners) listener(change);
    });
  };

  /**
   * Tells the call's earliest live pending turn that it may enter: the one turn a change to the call can let
   * go on (the others wait behind it), so a call's k waiting events cost k wake-ups, not k squared.
   */
  const nextTurnMayEnter = (callKey: string, call: CallRecord, now: number) => {
    const head = call.pending.find((t) => t.until > now);
    if (head) changed({ callKey, eventId: head.eventId });
  };

  /** No delivery holds the call or waits in it (turns whose lease lapsed belong to dead owners). */
  const idle = (call: CallRecord, now: number) =>
    !(call.lease && call.lease.until > now) && call.pending.every((turn) => turn.until <= now);

  const warnDoneEvicted = () => {
    const warning = new Error(
      `memoryStore: maxEntries (${maxEntries}) reached: dropping done markers within doneTtlMs, so duplicates of ` +
        "those events would be handled again. Raise maxEntries or lower doneTtlMs (stats().evictedDoneMarkers).",
    );
    try {
      onWarning(warning);
    } catch {
      // A throwing reporter must not fail the write that triggered it (a completion: the handler ran).
    }
  };

  const trim = (now: number) => {
    dropExpired(claims, now);
    dropExpired(done, now);
    dropExpired(calls, now, finished);
    dropExpired(paces, now);
    if (size() <= maxEntries) return;
    // Finished calls first, oldest first: their order records only make a very late event of the call `late`.
    // They are taken from `finished`, not found by scanning `calls`, which at the bound would pass every call
    // in progress on every write.
    for (const key of finished.keys()) {
      finished.delete(key);
      const call = calls.get(key);
      if (!call || !idle(call, now)) continue;
      calls.delete(key);
      evictedCalls++;
      if (size() <= maxEntries) return;
    }
    // Then done markers, oldest first. Each one still within its TTL loses exactly-once for its event.
    for (const [key, marker] of done) {
      done.delete(key);
      if (marker.until > now && evictedDoneMarkers++ === 0) warnDoneEvicted();
      if (size() <= maxEntries) return;
    }
  };

  const liveClaim = (eventId: string, now: number): Claim | undefined => {
    const claim = claims.get(eventId);
    return claim && claim.until > now ? claim : undefined;
  };

  const isDone = (eventId: string, now: number): boolean => {
    const marker = done.get(eventId);
    return marker !== undefined && marker.until > now;
  };

  const liveCall = (callKey: string, now: number): CallRecord | undefined => {
    const call = calls.get(callKey);
    if (call && call.until <= now) {
      calls.delete(callKey);
      finished.delete(callKey);
      return undefined;
    }
    return call;
  };

  // Each operation is one synchronous block: the combined ones below are two or three of these back to back,
  // with nothing able to run in between.
  const claim = (eventId: string, owner: string, leaseMs: number, now: number): ClaimResult => {
    if (isDone(eventId, now)) return "done";
    const held = liveClaim(eventId, now);
    if (held && held.owner !== owner) return "busy";
    touch(claims, eventId, { owner, until: now + leaseMs });
    trim(now);
    return "claimed";
  };

  const complete = (eventId: string, owner: string, doneTtlMs: number, now: number): boolean => {
    const held = liveClaim(eventId, now)?.owner === owner;
    if (held) claims.delete(eventId);
    touch(done, eventId, { until: now + doneTtlMs });
    trim(now);
    changed({ eventId });
    return held;
  };

  const release = (eventId: string, owner: string, now: number): void => {
    if (liveClaim(eventId, now)?.owner !== owner) return;
    claims.delete(eventId);
    changed({ eventId });
  };

  const renew = (eventId: string, owner: string, leaseMs: number, callKey: string | undefined, now: number) => {
    const until = now + leaseMs;
    const held = liveClaim(eventId, now)?.owner === owner;
    if (held) touch(claims, eventId, { owner, until });
    const call = callKey === undefined ? undefined : liveCall(callKey, now);
    if (call) {
      const turn = call.pending.find((t) => t.eventId === eventId);
      if (turn && turn.owner === owner && turn.until > now) turn.until = until;
      if (call.lease && call.lease.owner === owner && call.lease.until > now) call.lease.until = until;
    }
    return held;
  };

  const join = (turn: CallTurn, leaseMs: number, ttlMs: number, now: number): void => {
    const call = liveCall(turn.callKey, now) ?? { pending: [], lease: undefined, high: undefined, until: 0 };
    const entry: Turn = {
      eventId: turn.eventId,
      owner: turn.owner,
      occurredAtMs: turn.occurredAtMs,
      until: now + leaseMs,
    };
    const pending = call.pending.filter((t) => t.eventId !== turn.eventId);
    let at = pending.length;
    while (at > 0 && before(entry, pending[at - 1]!)) at--;
    pending.splice(at, 0, entry);
    call.pending = pending;
    call.until = now + ttlMs;
    touch(calls, turn.callKey, call);
    finished.delete(turn.callKey);
    trim(now);
  };

  const enter = (turn: CallTurn, leaseMs: number, now: number): EnterResult => {
    const call = liveCall(turn.callKey, now);
    if (!call) return { entered: false, reason: "gone" };
    // Turns whose lease lapsed belong to dead (or stalled) owners: they must not hold the call up. (The turn
    // behind one is not told: it finds the call free at its next poll, as nothing announces a lapse.)
    while (call.pending.length > 0 && call.pending[0]!.until <= now) call.pending.shift();
    const mine = call.pending.find((t) => t.eventId === turn.eventId && t.owner === turn.owner);
    if (!mine) return { entered: false, reason: "gone" };
    if (call.lease && call.lease.until > now && call.lease.owner !== turn.owner) {
      return { entered: false, reason: "waiting" };
    }
    if (call.pending[0] !== mine) return { entered: false, reason: "waiting" };
    call.lease = { owner: turn.owner, until: now + leaseMs };
    return { entered: true, late: call.high !== undefined && turn.occurredAtMs < call.high };
  };

  const leave = (turn: CallTurn, handled: boolean, ttlMs: number, now: number): void => {
    const call = liveCall(turn.callKey, now) ?? { pending: [], lease: undefined, high: undefined, until: 0 };
    call.pending = call.pending.filter((t) => !(t.eventId === turn.eventId && t.owner === turn.owner));
    if (handled && (call.high === undefined || turn.occurredAtMs > call.high)) call.high = turn.occurredAtMs;
    if (call.lease?.owner === turn.owner) call.lease = undefined;
    call.until = now + ttlMs;
    touch(calls, turn.callKey, call);
    if (call.pending.length === 0 && !call.lease) {
      finished.delete(turn.callKey);
      finished.add(turn.callKey);
    }
    trim(now);
    nextTurnMayEnter(turn.callKey, call, now);
  };

  const store: MemoryStore = {
    get size() {
      return size();
    },

    stats(): MemoryStoreStats {
      return { doneMarkers: done.size, evictedCalls, evictedDoneMarkers };
    },

    async claimEvent(eventId: string, owner: string, leaseMs: number): Promise<ClaimResult> {
      return claim(eventId, owner, leaseMs, Date.now());
    },

    async completeEvent(eventId: string, owner: string, doneTtlMs: number): Promise<boolean> {
      return complete(eventId, owner, doneTtlMs, Date.now());
    },

    async releaseEvent(eventId: string, owner: string): Promise<void> {
      release(eventId, owner, Date.now());
    },

    async renew(eventId: string, owner: string, leaseMs: number, callKey?: string): Promise<boolean> {
      return renew(eventId, owner, leaseMs, callKey, Date.now());
    },

    async joinCall(turn: CallTurn, leaseMs: number, ttlMs: number): Promise<void> {
      join(turn, leaseMs, ttlMs, Date.now());
    },

    async enterCall(turn: CallTurn, leaseMs: number): Promise<EnterResult> {
      return enter(turn, leaseMs, Date.now());
    },

    async leaveCall(turn: CallTurn, handled: boolean, ttlMs: number): Promise<void> {
      leave(turn, handled, ttlMs, Date.now());
    },

    // The combined operations. One process has no round trips to save, but the router takes the same path on
    // every store that has them, and the conformance suite checks these against the Redis ones.
    async claimAndJoin(turn: CallTurn, leaseMs: number, ttlMs: number, enterNow: boolean): Promise<ClaimAndJoinResult> {
      const now = Date.now();
      const result = claim(turn.eventId, turn.owner, leaseMs, now);
      if (result !== "claimed") return { claim: result };
      join(turn, leaseMs, ttlMs, now);
      return { claim: result, entry: enterNow ? enter(turn, leaseMs, now) : undefined };
    },

    async completeAndLeave(turn: CallTurn, doneTtlMs: number, ttlMs: number): Promise<boolean> {
      const now = Date.now();
      const held = complete(turn.eventId, turn.owner, doneTtlMs, now);
      leave(turn, true, ttlMs, now);
      return held;
    },

    async releaseAndLeave(turn: CallTurn, ttlMs: number): Promise<void> {
      const now = Date.now();
      leave(turn, false, ttlMs, now);
      release(turn.eventId, turn.owner, now);
    },

    async renewHeld(held: readonly HeldEvent[], leaseMs: number): Promise<boolean[]> {
      const now = Date.now();
      return held.map((h) => renew(h.eventId, h.owner, leaseMs, h.callKey, now));
    },

    async reserve(key: string, intervalMs: number): Promise<number> {
      if (!(intervalMs > 0 && Number.isFinite(intervalMs))) {
        throw new RangeError(`memoryStore.reserve: intervalMs must be a finite number > 0, got ${String(intervalMs)}.`);
      }
      const now = Date.now();
      const next = paces.get(key);
      const slot = next && next.next > now ? next.next : now;
      touch(paces, key, { next: slot + intervalMs, until: slot + intervalMs });
      trim(now);
      return slot - now;
    },

    onChange(listener: (change: StoreChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return store;
}
