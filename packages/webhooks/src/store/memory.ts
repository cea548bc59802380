// memoryStore(): the WebhookStore of one process, and the router's default. Plain Maps, no timers and no
// dependency, so it runs wherever the package does (Node, Deno, Bun, Workers, browsers). Expired records are
// dropped as writes come (each Map is kept in expiry order by re-inserting on every write that extends a
// record), and the number of records is capped: past `maxEntries` the oldest done markers go first.
import type { CallTurn, ClaimResult, EnterResult, WebhookStore } from "./store.js";

export interface MemoryStoreOptions {
  /**
   * The most records kept: done markers, calls' order records, claims and pace keys together. Past it the
   * oldest done markers are dropped first, then the oldest idle calls' records; claims and calls in progress
   * are never dropped (the requests in flight bound them). An integer from 1,000 to 10,000,000; default
   * 100,000 (a few tens of MB at most). A done marker dropped before its TTL lets a very late redelivery of
   * that event be handled again, so size it to hold `doneTtlMs` worth of events.
   */
  maxEntries?: number | undefined;
}

/** The in-memory {@link WebhookStore}; `size` is how many records it holds now. */
export interface MemoryStore extends WebhookStore {
  readonly size: number;
  onChange(listener: () => void): () => void;
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

/** Drops the expired records at the front of a Map kept in expiry order. */
function dropExpired(map: Map<string, Expiring>, now: number): void {
  for (const [key, record] of map) {
    if (record.until > now) return;
    map.delete(key);
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
  const claims = new Map<string, Claim>();
  const done = new Map<string, Expiring>();
  const calls = new Map<string, CallRecord>();
  const paces = new Map<string, Expiring & { next: number }>();
  const listeners = new Set<() => void>();

  const size = () => claims.size + done.size + calls.size + paces.size;

  const changed = () => {
    if (listeners.size === 0) return;
    // After the current operation has returned, so a listener never runs inside the store's own step.
    queueMicrotask(() => {
      for (const listener of listeners) listener();
    });
  };

  const trim = (now: number) => {
    dropExpired(claims, now);
    dropExpired(done, now);
    dropExpired(calls, now);
    dropExpired(paces, now);
    if (size() <= maxEntries) return;
    for (const key of done.keys()) {
      done.delete(key);
      if (size() <= maxEntries) return;
    }
    for (const [key, call] of calls) {
      if (call.pending.length === 0 && !(call.lease && call.lease.until > now)) calls.delete(key);
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
      return undefined;
    }
    return call;
  };

  const store: MemoryStore = {
    get size() {
      return size();
    },

    async claimEvent(eventId: string, owner: string, leaseMs: number): Promise<ClaimResult> {
      const now = Date.now();
      if (isDone(eventId, now)) return "done";
      const claim = liveClaim(eventId, now);
      if (claim && claim.owner !== owner) return "busy";
      touch(claims, eventId, { owner, until: now + leaseMs });
      trim(now);
      return "claimed";
    },

    async completeEvent(eventId: string, owner: string, doneTtlMs: number): Promise<boolean> {
      const now = Date.now();
      const held = liveClaim(eventId, now)?.owner === owner;
      if (held) claims.delete(eventId);
      touch(done, eventId, { until: now + doneTtlMs });
      trim(now);
      changed();
      return held;
    },

    async releaseEvent(eventId: string, owner: string): Promise<void> {
      if (liveClaim(eventId, Date.now())?.owner !== owner) return;
      claims.delete(eventId);
      changed();
    },

    async renew(eventId: string, owner: string, leaseMs: number, callKey?: string): Promise<boolean> {
      const now = Date.now();
      const until = now + leaseMs;
      const claim = liveClaim(eventId, now);
      const held = claim?.owner === owner;
      if (held) touch(claims, eventId, { owner, until });
      const call = callKey === undefined ? undefined : liveCall(callKey, now);
      if (call) {
        const turn = call.pending.find((t) => t.eventId === eventId);
        if (turn && turn.owner === owner && turn.until > now) turn.until = until;
        if (call.lease && call.lease.owner === owner && call.lease.until > now) call.lease.until = until;
      }
      return held;
    },

    async joinCall(turn: CallTurn, leaseMs: number, ttlMs: number): Promise<void> {
      const now = Date.now();
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
      trim(now);
    },

    async enterCall(turn: CallTurn, leaseMs: number): Promise<EnterResult> {
      const now = Date.now();
      const call = liveCall(turn.callKey, now);
      if (!call) return { entered: false, reason: "gone" };
      // Turns whose lease lapsed belong to dead (or stalled) owners: they must not hold the call up.
      while (call.pending.length > 0 && call.pending[0]!.until <= now) call.pending.shift();
      const mine = call.pending.find((t) => t.eventId === turn.eventId && t.owner === turn.owner);
      if (!mine) return { entered: false, reason: "gone" };
      if (call.lease && call.lease.until > now && call.lease.owner !== turn.owner) {
        return { entered: false, reason: "waiting" };
      }
      if (call.pending[0] !== mine) return { entered: false, reason: "waiting" };
      call.lease = { owner: turn.owner, until: now + leaseMs };
      return { entered: true, late: call.high !== undefined && turn.occurredAtMs < call.high };
    },

    async leaveCall(turn: CallTurn, handled: boolean, ttlMs: number): Promise<void> {
      const now = Date.now();
      const call = liveCall(turn.callKey, now) ?? { pending: [], lease: undefined, high: undefined, until: 0 };
      call.pending = call.pending.filter((t) => !(t.eventId === turn.eventId && t.owner === turn.owner));
      if (handled && (call.high === undefined || turn.occurredAtMs > call.high)) call.high = turn.occurredAtMs;
      if (call.lease?.owner === turn.owner) call.lease = undefined;
      call.until = now + ttlMs;
      touch(calls, turn.callKey, call);
      trim(now);
      changed();
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

    onChange(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return store;
}
