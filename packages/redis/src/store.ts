// redisStore(): the WebhookStore on Redis, for many instances, on one Redis or a Redis Cluster. Each operation is
// one Lua script (src/lua/*.lua, each with its KEYS and ARGV at the top) or one plain command; nothing here reads
// and then writes.
//
// Keys (prefix "telnyx-voice:" by default). A script's keys always share one slot of a cluster:
//   <p>event:<event id>                string  an event without a call: "claim:<owner>" (PX leaseMs, renewed) or
//                                              "done" (PX doneTtlMs)
//   <p>call:{<call>}:event:<event id>  string  an event with a call (claimAndJoin): as above, or "claim+:<owner>"
//                                              once a copy waits for its outcome
//   <p>call:{<call>}:pending           zset    event id -> occurred_at (ms, fractions kept); PX ttlMs
//   <p>call:{<call>}:state             hash    o:<id> owner, d:<id> turn deadline, lease, lease_until, high,
//                                              w (a turn waits to enter); PX ttlMs
//   <p>pace:<key>                      string  the next free slot (ms); PX until that slot has passed
//   <p>{<p>flows}:alive:<instance>     string  "1", PX leaseMs from its last heartbeat
//   <p>{<p>flows}:instances            zset    instance -> when its liveness lapses (ms); PX an hour
//   <p>{<p>flows}:calls:<instance>     set     the calls whose flow it runs; PX an hour
// An event with a call is keyed under its call's hash tag, so that claiming and joining, completing and leaving,
// and renewing its claim with its turn are each one script in one slot: one round trip where there were two.
// An event without a call has no call to share a slot with, and keeps the untagged key (claimEvent and the
// other single operations use it). A call's keys share the tag {<call>}; the flows registry shares the tag
// {<p>flows}, so that a heartbeat and taking a dead instance's calls each stay one atomic step.
//
// Channels (sharded pub/sub on a cluster): <p>changes carries what completions, releases and leaves freed that
// a delivery waits for (only when one waits: a copy marked the claim, or a turn marked its call), so that every
// instance's waits are woken instead of polling; <p>flows:to:<instance> is the relay's. Every key is written
// with an expiry; nothing lives longer than its TTL after its last write.
import type { RedisClusterOptions } from "@redis/client";
import type {
  CallTurn,
  ClaimAndJoinResult,
  ClaimResult,
  EnterResult,
  HeldEvent,
  Relay,
  RelayStore,
  StoreChange,
  WebhookStore,
} from "@telnyx-voice/webhooks";
import {
  clientFromUrl,
  clusterFromOptions,
  clusterWhere,
  connection,
  isClusterClient,
  type OwnClient,
  type RedisClusterCommandClient,
  type RedisCommandClient,
  script,
} from "./connection.js";
import { RedisStoreError } from "./errors.js";
import { LUA } from "./generated/lua.js";
import { redactUrl, scrub } from "./redact.js";
import { openRelay, type Subscriber } from "./relay.js";
import { keySlot } from "./slot.js";

export interface RedisStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. The store makes its own client,
   * connects on first use and reconnects with backoff; `close()` closes it. Default: the `REDIS_URL`
   * environment variable. Give one of `url`, `cluster` and `client`.
   */
  url?: string | undefined;
  /**
   * A Redis Cluster: node-redis's `createCluster()` options, at least `{ rootNodes: [{ url }] }` (passwords and
   * TLS for every node go in `defaults`). The store makes its own cluster client, connects on first use, follows
   * failovers and closes it on `close()`. `keyPrefix` may hold no `{` or `}` then (the store places the hash tags).
   */
  cluster?: RedisClusterOptions | undefined;
  /**
   * A node-redis client you made and connected, to share its connection: `createClient()` (one Redis) or
   * `createCluster()` (a Redis Cluster), from `redis` or `@redis/client`. The store only sends commands through
   * it; closing it is yours.
   */
  client?: RedisCommandClient | RedisClusterCommandClient | undefined;
  /** Prefix of every key the store writes (default `"telnyx-voice:"`): one per app sharing a Redis. */
  keyPrefix?: string | undefined;
  /**
   * The longest one store operation may take, connecting (and waiting for replicas) included, before it fails
   * with a `RedisStoreError` (the router then answers 503 and Telnyx delivers again). From 10 to 60000 ms;
   * default 2000.
   */
  commandTimeoutMs?: number | undefined;
  /**
   * How many replicas must have an event's claim and its done marker before they count (Redis `WAIT`, on the
   * primary that took the write). Redis replicates asynchronously: without it, a primary that dies (a failover)
   * can take acknowledged claims and done markers with it, and those events may be handled twice. With it, a
   * claim or completion that no replica confirmed within commandTimeoutMs fails (`RedisStoreError`) instead.
   * From 0 (default: no wait) to 5; each claim and completion costs a round trip to a replica more.
   */
  waitForReplicas?: number | undefined;
  /**
   * Receives connection errors of the client the store made from `url` or `cluster` (once per outage;
   * passwords are never in them). Default: `console.error`.
   */
  onError?: ((error: Error) => void) | undefined;
}

/**
 * The Redis {@link WebhookStore}, and the {@link RelayStore} that runs `@telnyx-voice/flows` on many instances;
 * `close()` closes the client it made from `url` or `cluster` (not one you gave it) and any relay it opened.
 */
export interface RedisStore extends WebhookStore, RelayStore {
  isKnown(instance: string): Promise<boolean>;
  claimAndJoin(turn: CallTurn, leaseMs: number, ttlMs: number, enter: boolean): Promise<ClaimAndJoinResult>;
  completeAndLeave(turn: CallTurn, doneTtlMs: number, ttlMs: number): Promise<boolean>;
  releaseAndLeave(turn: CallTurn, ttlMs: number): Promise<void>;
  renewHeld(held: readonly HeldEvent[], leaseMs: number): Promise<boolean[]>;
  close(): Promise<void>;
}

const DEFAULT_PREFIX = "telnyx-voice:";
const DEFAULT_TIMEOUT_MS = 2000;
const MAX_REPLICAS = 5;

/** The most items renewed by one script: a router holding thousands does not stall Redis with one long script. */
const RENEW_BATCH = 200;

const scripts = {
  claimJoin: script(LUA.claimJoin),
  completeLeave: script(LUA.completeLeave),
  releaseLeave: script(LUA.releaseLeave),
  renewHeld: script(LUA.renewHeld),
  claim: script(LUA.claim),
  complete: script(LUA.complete),
  release: script(LUA.release),
  renewClaim: script(LUA.renewClaim),
  renewTurn: script(LUA.renewTurn),
  join: script(LUA.joinCall),
  enter: script(LUA.enterCall),
  leave: script(LUA.leaveCall),
  reserve: script(LUA.reserve),
  heartbeat: script(LUA.heartbeat),
  own: script(LUA.ownCall),
  lapsed: script(LUA.lapsedInstances),
  takeOrphans: script(LUA.takeOrphans),
};

function readEnv(name: string): string | undefined {
  return typeof process === "undefined" ? undefined : process.env[name] || undefined;
}

function checkOptions(options: RedisStoreOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `redisStore() takes an options object, such as { url: "redis://localhost:6379" } or { client }, got ${
        options === null ? "null" : `a ${typeof options}`
      }.`,
    );
  }
  const given = (["url", "cluster", "client"] as const).filter((name) => options[name] !== undefined);
  if (given.length > 1) {
    throw new TypeError(`redisStore: give one of \`url\`, \`cluster\` and \`client\`, not ${given.join(" and ")}.`);
  }
  if (options.url !== undefined && typeof options.url !== "string") {
    throw new TypeError(
      `redisStore: \`url\` must be a string such as redis://localhost:6379, got a ${typeof options.url}.`,
    );
  }
  const cluster = options.cluster as unknown;
  if (
    cluster !== undefined &&
    (typeof cluster !== "object" ||
      cluster === null ||
      !Array.isArray((cluster as RedisClusterOptions).rootNodes) ||
      (cluster as RedisClusterOptions).rootNodes.length === 0)
  ) {
    throw new TypeError(
      "redisStore: `cluster` takes node-redis's createCluster() options with at least one root node, such as " +
        '{ rootNodes: [{ url: "redis://10.0.0.1:7000" }] }.',
    );
  }
  const client = options.client as unknown;
  if (
    client !== undefined &&
    (typeof client !== "object" || client === null || typeof (client as RedisCommandClient).sendCommand !== "function")
  ) {
    throw new TypeError(
      "redisStore: `client` must be a node-redis client (createClient() or createCluster() from redis or " +
        "@redis/client), connected; it has no sendCommand method.",
    );
  }
  if (
    client !== undefined &&
    !isClusterClient(client) &&
    typeof (client as { nodeClient?: unknown }).nodeClient === "function"
  ) {
    // An older node-redis cluster client: its commands need a first key, and WAIT a node, which it cannot name.
    throw new TypeError(
      "redisStore: this cluster client has no getNodeClientForKey() (node-redis before @redis/client 6.3). Give " +
        "redisStore { cluster: { rootNodes: [{ url }] } } instead, or a createCluster() client of @redis/client 6.3 or newer.",
    );
  }
  if (options.keyPrefix !== undefined && typeof options.keyPrefix !== "string") {
    throw new TypeError(`redisStore: \`keyPrefix\` must be a string, got a ${typeof options.keyPrefix}.`);
  }
  if ((cluster !== undefined || isClusterClient(client)) && /[{}]/.test(options.keyPrefix ?? "")) {
    throw new TypeError(
      `redisStore: on a Redis Cluster \`keyPrefix\` may hold no { or } (got "${options.keyPrefix}"): the store ` +
        "places the hash tags that keep each script's keys in one slot, and a brace of yours would move them.",
    );
  }
  const timeout = options.commandTimeoutMs;
  if (
    timeout !== undefined &&
    (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 10 || timeout > 60_000)
  ) {
    throw new RangeError(
      `redisStore: \`commandTimeoutMs\` must be a number of milliseconds from 10 to 60000 (default ${DEFAULT_TIMEOUT_MS}), got ${String(timeout)}.`,
    );
  }
  const replicas = options.waitForReplicas;
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0 && replicas <= MAX_REPLICAS)) {
    throw new RangeError(
      `redisStore: \`waitForReplicas\` must be a whole number of replicas from 0 (no wait, the default) to ${MAX_REPLICAS}, got ${String(replicas)}.`,
    );
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new TypeError(`redisStore: \`onError\` must be a function of the error, got a ${typeof options.onError}.`);
  }
}

function checkUrl(url: string | undefined): string {
  if (url === undefined) {
    throw new TypeError(
      'redisStore needs a Redis: pass { url: "redis://localhost:6379" } (or rediss:// for TLS), { cluster: ' +
        "{ rootNodes: [{ url }] } } for a Redis Cluster, { client } (a connected node-redis client), or set the " +
        "REDIS_URL environment variable.",
    );
  }
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new TypeError(
      `redisStore: \`url\` must be a URL such as redis://localhost:6379 or rediss://user:password@host:6380/0, got ${redactUrl(url)}.`,
    );
  }
  if (protocol !== "redis:" && protocol !== "rediss:") {
    throw new TypeError(
      `redisStore: \`url\` must start with redis:// (or rediss:// for TLS), got ${redactUrl(url)} (scheme ${protocol}).`,
    );
  }
  return url;
}

/**
 * The {@link WebhookStore} on Redis: exactly once per event, one at a time and in order per call, and the
 * pace of dials, across every instance that shares the Redis. `redisStore({ url })`, `redisStore({ cluster })`
 * or `redisStore({ client })`. Needs Redis 5 or newer: one primary (standalone or Sentinel-managed), or a
 * Redis Cluster (7 or newer: the relay uses sharded pub/sub).
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  checkOptions(options);
  const prefix = options.keyPrefix ?? DEFAULT_PREFIX;
  const timeout = options.commandTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const replicas = options.waitForReplicas ?? 0;
  const report = options.onError ?? ((error: Error) => console.error(`[@telnyx-voice/redis] ${error.message}`));
  let conn: ReturnType<typeof connection>;
  let own: OwnClient | undefined;
  if (options.client) {
    conn = connection({ given: options.client }, "the client you gave", timeout, replicas);
  } else if (options.cluster) {
    own = clusterFromOptions(options.cluster, report);
    conn = connection({ own }, clusterWhere(options.cluster), timeout, replicas);
  } else {
    const url = checkUrl(options.url ?? readEnv("REDIS_URL"));
    own = clientFromUrl(url, report);
    conn = connection({ own }, redactUrl(url), timeout, replicas);
  }
  const onCluster = isClusterClient(own?.client ?? options.client);
  const relays = new Set<Relay>();

  const eventKey = (eventId: string) => `${prefix}event:${eventId}`;
  // A call's keys share a hash tag: one slot per call.
  const callKeys = (callKey: string) => [`${prefix}call:{${callKey}}:pending`, `${prefix}call:{${callKey}}:state`];
  // The flows registry shares one, with the prefix in it: each app's registry in a slot of its own.
  const registry = `${prefix}{${prefix}flows}`;
  const instancesKey = `${registry}:instances`;
  const aliveKey = (instance: string) => `${registry}:alive:${instance}`;
  const callsKey = (instance: string) => `${registry}:calls:${instance}`;
  const ms = (value: number) => String(Math.max(1, Math.ceil(value)));
  // An event with a call: its key under the call's hash tag, with the call's keys, for the combined scripts.
  const turnKeys = (turn: { callKey: string; eventId: string }) => [
    `${prefix}call:{${turn.callKey}}:event:${turn.eventId}`,
    ...callKeys(turn.callKey),
  ];
  const changes = changeChannel({
    client: own?.client ?? options.client,
    channel: `${prefix}changes`,
    onCluster,
    timeout,
    secrets: own?.secrets ?? [],
    publish: (channel, message) =>
      conn.command("onChange", channel, [onCluster ? "SPUBLISH" : "PUBLISH", channel, message]),
  });
  /** What a leave found: the call's next turn, when one waits to enter. */
  const nextTurn = (callKey: string, next: unknown): StoreChange[] =>
    typeof next === "string" && next !== "" ? [{ callKey, eventId: next }] : [];

  const store: RedisStore = {
    async claimAndJoin(turn: CallTurn, leaseMs: number, ttlMs: number, enter: boolean): Promise<ClaimAndJoinResult> {
      const reply = await conn.run(
        "claimAndJoin",
        scripts.claimJoin,
        turnKeys(turn),
        [turn.eventId, turn.owner, String(turn.occurredAtMs), ms(leaseMs), ms(ttlMs), enter ? "1" : "0"],
        // Only a claim taken was written (with its turn); "busy" marked the claim awaited, which a failover may
        // lose at the cost of a backstop poll.
        (result) => Array.isArray(result) && String(result[0]) === "claimed",
      );
      const [claim, entry] = (reply as unknown[]).map(String);
      if (claim !== "claimed") return { claim: claim as "busy" | "done" };
      if (entry === "") return { claim };
      if (entry === "entered" || entry === "late") return { claim, entry: { entered: true, late: entry === "late" } };
      return { claim, entry: { entered: false, reason: entry === "gone" ? "gone" : "waiting" } };
    },

    async completeAndLeave(turn: CallTurn, doneTtlMs: number, ttlMs: number): Promise<boolean> {
      const [held, awaited, next] = (await conn.run(
        "completeAndLeave",
        scripts.completeLeave,
        turnKeys(turn),
        [turn.eventId, turn.owner, String(turn.occurredAtMs), ms(doneTtlMs), ms(ttlMs)],
        () => true,
      )) as unknown[];
      changes.announce([
        ...(Number(awaited) === 1 ? [{ eventId: turn.eventId }] : []),
        ...nextTurn(turn.callKey, next),
      ]);
      return Number(held) === 1;
    },

    async releaseAndLeave(turn: CallTurn, ttlMs: number): Promise<void> {
      const [awaited, next] = (await conn.run("releaseAndLeave", scripts.releaseLeave, turnKeys(turn), [
        turn.eventId,
        turn.owner,
        ms(ttlMs),
      ])) as unknown[];
      changes.announce([
        ...(Number(awaited) === 1 ? [{ eventId: turn.eventId }] : []),
        ...nextTurn(turn.callKey, next),
      ]);
    },

    async renewHeld(held: readonly HeldEvent[], leaseMs: number): Promise<boolean[]> {
      // One script per slot on a cluster (each script's keys in one slot), one for everything on one Redis; at
      // most RENEW_BATCH items a script. The scripts go out side by side: one round trip per node.
      const batches: number[][] = [];
      /** The batch being filled, by slot. */
      const filling = new Map<number, number[]>();
      for (const [i, item] of held.entries()) {
        const key =
          item.callKey === undefined
            ? eventKey(item.eventId)
            : turnKeys({ callKey: item.callKey, eventId: item.eventId })[0]!;
        const slot = onCluster ? keySlot(key) : 0;
        let batch = filling.get(slot);
        if (!batch || batch.length >= RENEW_BATCH) {
          batch = [];
          batches.push(batch);
          filling.set(slot, batch);
        }
        batch.push(i);
      }
      const results: boolean[] = new Array(held.length).fill(false);
      await Promise.all(
        batches.map(async (indices) => {
          const keys: string[] = [];
          const args = [ms(leaseMs)];
          for (const i of indices) {
            const item = held[i]!;
            if (item.callKey === undefined) {
              const key = eventKey(item.eventId);
              keys.push(key, key);
              args.push(item.owner, item.eventId, "0");
            } else {
              const [event, , state] = turnKeys({ callKey: item.callKey, eventId: item.eventId });
              keys.push(event!, state!);
              args.push(item.owner, item.eventId, "1");
            }
          }
          const reply = (await conn.run("renewHeld", scripts.renewHeld, keys, args)) as unknown[];
          for (const [n, i] of indices.entries()) results[i] = Number(reply[n]) === 1;
        }),
      );
      return results;
    },

    async claimEvent(eventId: string, owner: string, leaseMs: number): Promise<ClaimResult> {
      const result = await conn.run(
        "claimEvent",
        scripts.claim,
        [eventKey(eventId)],
        [owner, ms(leaseMs)],
        // Only a claim taken was written; "busy" and "done" changed nothing a replica could miss.
        (reply) => String(reply) === "claimed",
      );
      return String(result) as ClaimResult;
    },

    async completeEvent(eventId: string, owner: string, doneTtlMs: number): Promise<boolean> {
      const result = await conn.run(
        "completeEvent",
        scripts.complete,
        [eventKey(eventId)],
        [owner, ms(doneTtlMs)],
        () => true,
      );
      // Announced whether or not a copy waits: this key's claims keep the format older versions read, so they
      // carry no mark. (The router completes this way only events without a call.)
      changes.announce([{ eventId }]);
      return Number(result) === 1;
    },

    async releaseEvent(eventId: string, owner: string): Promise<void> {
      const dropped = await conn.run("releaseEvent", scripts.release, [eventKey(eventId)], [owner]);
      if (Number(dropped) === 1) changes.announce([{ eventId }]);
    },

    async renew(eventId: string, owner: string, leaseMs: number, callKey?: string): Promise<boolean> {
      // Two scripts, side by side: the event's key and its call's are in different slots of a cluster. Each
      // extends only what the owner holds, so neither needs the other's answer.
      const claim = conn.run("renew", scripts.renewClaim, [eventKey(eventId)], [owner, ms(leaseMs)]);
      const turn =
        callKey === undefined
          ? undefined
          : conn.run("renew", scripts.renewTurn, [callKeys(callKey)[1]!], [owner, ms(leaseMs), eventId]);
      const [held] = await Promise.all([claim, turn]);
      return Number(held) === 1;
    },

    async joinCall(turn: CallTurn, leaseMs: number, ttlMs: number): Promise<void> {
      await conn.run("joinCall", scripts.join, callKeys(turn.callKey), [
        turn.eventId,
        turn.owner,
        String(turn.occurredAtMs),
        ms(leaseMs),
        ms(ttlMs),
      ]);
    },

    async enterCall(turn: CallTurn, leaseMs: number): Promise<EnterResult> {
      const result = String(
        await conn.run("enterCall", scripts.enter, callKeys(turn.callKey), [
          turn.eventId,
          turn.owner,
          String(turn.occurredAtMs),
          ms(leaseMs),
        ]),
      );
      if (result === "entered" || result === "late") return { entered: true, late: result === "late" };
      return { entered: false, reason: result === "gone" ? "gone" : "waiting" };
    },

    async leaveCall(turn: CallTurn, handled: boolean, ttlMs: number): Promise<void> {
      const next = await conn.run("leaveCall", scripts.leave, callKeys(turn.callKey), [
        turn.eventId,
        turn.owner,
        String(turn.occurredAtMs),
        handled ? "1" : "0",
        ms(ttlMs),
      ]);
      changes.announce(nextTurn(turn.callKey, next));
    },

    async reserve(key: string, intervalMs: number): Promise<number> {
      if (!(intervalMs > 0 && Number.isFinite(intervalMs))) {
        throw new RangeError(`redisStore.reserve: intervalMs must be a finite number > 0, got ${String(intervalMs)}.`);
      }
      return Number(await conn.run("reserve", scripts.reserve, [`${prefix}pace:${key}`], [String(intervalMs)]));
    },

    async heartbeat(instance: string, leaseMs: number): Promise<void> {
      const keys = [aliveKey(instance), instancesKey, callsKey(instance)];
      await conn.run("heartbeat", scripts.heartbeat, keys, [instance, ms(leaseMs)]);
    },

    async isAlive(instance: string): Promise<boolean> {
      const key = aliveKey(instance);
      return Number(await conn.command("isAlive", key, ["EXISTS", key])) === 1;
    },

    async isKnown(instance: string): Promise<boolean> {
      return (await conn.command("isKnown", instancesKey, ["ZSCORE", instancesKey, instance])) !== null;
    },

    async ownCall(instance: string, callKey: string): Promise<void> {
      await conn.run("ownCall", scripts.own, [callsKey(instance)], [callKey]);
    },

    async disownCall(instance: string, callKey: string): Promise<void> {
      const key = callsKey(instance);
      await conn.command("disownCall", key, ["SREM", key, callKey]);
    },

    async takeOrphans(): Promise<string[]> {
      // Which instances lapsed, then each one's calls in a step of its own: a script may touch only the keys it
      // is given, and the lapsed instances are known only once read. Taking one removes it in the same step,
      // so of the sweepers that found it exactly one gets its calls.
      const lapsed = await conn.run("takeOrphans", scripts.lapsed, [instancesKey], []);
      const instances = Array.isArray(lapsed) ? lapsed.map(String) : [];
      const taken = await Promise.all(
        instances.map((instance) =>
          conn.run("takeOrphans", scripts.takeOrphans, [instancesKey, callsKey(instance)], [instance]),
        ),
      );
      return taken.flatMap((calls) => (Array.isArray(calls) ? calls.map(String) : []));
    },

    async openRelay(instance: string, onMessage: (message: string) => Promise<string>): Promise<Relay> {
      const subscriber = await subscriberFor(own?.client ?? options.client, timeout, own?.secrets ?? []);
      // A cluster's pub/sub goes to every node, and its listeners must be on the publisher's node: sharded
      // pub/sub (Redis 7) keeps each channel on the shard of its slot. One Redis keeps plain pub/sub (Redis 5).
      const command = onCluster ? "SPUBLISH" : "PUBLISH";
      const relay = await openRelay({
        instance,
        channelOf: (name) => `${prefix}flows:to:${name}`,
        subscriber,
        publish: async (channel, message) => Number(await conn.command("send", channel, [command, channel, message])),
        onMessage,
      });
      relays.add(relay);
      return relay;
    },

    async close() {
      await Promise.all([
        ...[...relays].map((relay) => relay.close().catch(() => undefined)),
        changes.close().catch(() => undefined),
      ]);
      await conn.close();
    },
  };
  // Waits are woken through pub/sub, on a connection of their own: made with the client's duplicate(), which a
  // client given without it lacks (the router then polls every 5-50 ms, as before).
  if (changes.available) store.onChange = (listener) => changes.listen(listener);
  return store;
}

interface ChangeChannelParts {
  client: unknown;
  channel: string;
  onCluster: boolean;
  timeout: number;
  secrets: string[];
  publish: (channel: string, message: string) => Promise<unknown>;
}

/** How long a subscription that could not be made waits before it is tried again (backing off to the last). */
const RESUBSCRIBE_MS = [500, 1000, 2000, 5000, 10_000];

/**
 * The store's announcements of what completions, releases and leaves freed: told at once to this store's own
 * listeners, and published to every other instance's (each message names the store that sent it, which skips
 * its own). A message lost (not subscribed yet, a reconnection) costs a waiting delivery its backstop poll,
 * never a guarantee: every wait still asks the store before it goes on.
 */
function changeChannel(parts: ChangeChannelParts) {
  const { client, channel } = parts;
  const available = typeof (client as { duplicate?: unknown } | undefined)?.duplicate === "function";
  const from = Math.random().toString(36).slice(2, 10);
  const listeners = new Set<(change?: StoreChange) => void>();
  let subscriber: Promise<Subscriber> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let closed = false;

  const tell = (list: readonly StoreChange[]) => {
    for (const change of list) for (const listener of listeners) listener(change);
  };

  const received = (raw: string) => {
    let message: { f?: unknown; c?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (message.f === from || !Array.isArray(message.c)) return;
    tell(
      (message.c as Array<{ e?: unknown; c?: unknown }>).flatMap((c) =>
        typeof c.e !== "string" ? [] : typeof c.c === "string" ? [{ callKey: c.c, eventId: c.e }] : [{ eventId: c.e }],
      ),
    );
  };

  const subscribe = () => {
    if (subscriber || closed || listeners.size === 0) return;
    const made = subscriberFor(client, parts.timeout, parts.secrets, "onChange");
    subscriber = made.then(async (sub) => {
      try {
        await sub.subscribe(channel, received);
      } catch (error) {
        await sub.close().catch(() => undefined);
        throw error;
      }
      failures = 0;
      return sub;
    });
    // Redis down at the first wait: try again later, for as long as anyone listens. Timers do not hold the
    // process open.
    subscriber.catch(() => {
      subscriber = undefined;
      if (closed) return;
      retry = setTimeout(subscribe, RESUBSCRIBE_MS[Math.min(failures++, RESUBSCRIBE_MS.length - 1)]);
      (retry as { unref?: () => void }).unref?.();
    });
  };

  return {
    available,
    listen(listener: (change?: StoreChange) => void): () => void {
      listeners.add(listener);
      subscribe();
      return () => listeners.delete(listener);
    },
    announce(list: StoreChange[]): void {
      if (list.length === 0) return;
      tell(list);
      if (!available) return;
      const wire = list.map((c) => (c.callKey === undefined ? { e: c.eventId } : { e: c.eventId, c: c.callKey }));
      // Not awaited: the operation has its answer; an announcement that fails costs a backstop poll.
      parts.publish(channel, JSON.stringify({ f: from, c: wire })).catch(() => undefined);
    },
    async close(): Promise<void> {
      closed = true;
      clearTimeout(retry);
      const sub = await subscriber?.catch(() => undefined);
      await sub?.close();
    },
  };
}

/**
 * A client to listen on: a duplicate of the store's (a subscribed client can send nothing else), connected. On
 * a cluster it listens with SSUBSCRIBE, on the node serving each channel's slot.
 */
async function subscriberFor(
  client: unknown,
  timeoutMs: number,
  secrets: string[],
  operation: "openRelay" | "onChange" = "openRelay",
): Promise<Subscriber> {
  const duplicate = (client as { duplicate?: () => unknown } | undefined)?.duplicate;
  if (typeof duplicate !== "function") {
    throw new RedisStoreError(
      operation,
      "redisStore: flows on many instances listen on a second connection, made with the client's duplicate(). " +
        "Give redisStore a { url } or { cluster }, or a node-redis client (createClient() or createCluster()), " +
        "which has it.",
    );
  }
  const listener = duplicate.call(client) as {
    connect(): Promise<unknown>;
    close(): Promise<unknown>;
    on(e: string, f: () => void): void;
    subscribe(channel: string, listener: (message: string) => void): Promise<void>;
    sSubscribe?(channel: string, listener: (message: string) => void): Promise<void>;
  };
  // Errors of this connection are the same outage the store's own client reports; reconnecting is automatic.
  listener.on("error", () => undefined);
  listener.on("node-error", () => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      listener.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not connected within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    listener.close().catch(() => undefined);
    const reason = scrub(error instanceof Error ? error.message : String(error), secrets);
    const what = operation === "openRelay" ? "the relay" : "the connection that wakes waiting deliveries";
    throw new RedisStoreError(operation, `redisStore: ${what} could not connect (${reason}).`);
  } finally {
    clearTimeout(timer);
  }
  const sharded = isClusterClient(client) ? listener.sSubscribe?.bind(listener) : undefined;
  return {
    subscribe: sharded ?? ((channel, onMessage) => listener.subscribe(channel, onMessage)),
    close: () => listener.close(),
  };
}
