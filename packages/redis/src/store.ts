// redisStore(): the WebhookStore on Redis, for many instances. Each operation is one Lua script (see
// scripts.ts for the keys and their TTLs); nothing here reads and then writes.
import type { CallTurn, ClaimResult, EnterResult, Relay, RelayStore, WebhookStore } from "@telnyx-voice/webhooks";
import { clientFromUrl, connection, type OwnClient, type RedisCommandClient, script } from "./connection.js";
import { RedisStoreError } from "./errors.js";
import { redactUrl, scrub } from "./redact.js";
import { openRelay, type Subscriber } from "./relay.js";
import {
  CLAIM,
  COMPLETE,
  DISOWN,
  ENTER,
  HEARTBEAT,
  IS_ALIVE,
  IS_KNOWN,
  JOIN,
  LEAVE,
  OWN,
  PUBLISH,
  RELEASE,
  RENEW,
  RESERVE,
  TAKE_ORPHANS,
} from "./scripts.js";

export interface RedisStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. The store makes its own client,
   * connects on first use and reconnects with backoff; `close()` closes it. Default: the `REDIS_URL`
   * environment variable. Give `url` or `client`, not both.
   */
  url?: string | undefined;
  /**
   * A node-redis client you made and connected (`createClient()` from `redis` or `@redis/client`), to share
   * its connection. The store only sends commands through it; closing it is yours.
   */
  client?: RedisCommandClient | undefined;
  /** Prefix of every key the store writes (default `"telnyx-voice:"`): one per app sharing a Redis. */
  keyPrefix?: string | undefined;
  /**
   * The longest one store operation may take, connecting included, before it fails with a `RedisStoreError`
   * (the router then answers 500 and Telnyx delivers again). From 10 to 60000 ms; default 2000.
   */
  commandTimeoutMs?: number | undefined;
  /**
   * Receives connection errors of the client the store made from `url` (once per outage; the password is
   * never in them). Default: `console.error`.
   */
  onError?: ((error: Error) => void) | undefined;
}

/**
 * The Redis {@link WebhookStore}, and the {@link RelayStore} that runs `@telnyx-voice/flows` on many instances;
 * `close()` closes the client it made from `url` (not one you gave it) and any relay it opened.
 */
export interface RedisStore extends WebhookStore, RelayStore {
  close(): Promise<void>;
}

const DEFAULT_PREFIX = "telnyx-voice:";
const DEFAULT_TIMEOUT_MS = 2000;

const scripts = {
  claim: script(CLAIM),
  complete: script(COMPLETE),
  release: script(RELEASE),
  renew: script(RENEW),
  join: script(JOIN),
  enter: script(ENTER),
  leave: script(LEAVE),
  reserve: script(RESERVE),
  heartbeat: script(HEARTBEAT),
  isAlive: script(IS_ALIVE),
  isKnown: script(IS_KNOWN),
  own: script(OWN),
  disown: script(DISOWN),
  takeOrphans: script(TAKE_ORPHANS),
  publish: script(PUBLISH),
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
  if (options.url !== undefined && options.client !== undefined) {
    throw new TypeError("redisStore: give `url` or `client`, not both.");
  }
  if (options.url !== undefined && typeof options.url !== "string") {
    throw new TypeError(
      `redisStore: \`url\` must be a string such as redis://localhost:6379, got a ${typeof options.url}.`,
    );
  }
  const client = options.client as unknown;
  if (
    client !== undefined &&
    (typeof client !== "object" || client === null || typeof (client as RedisCommandClient).sendCommand !== "function")
  ) {
    throw new TypeError(
      "redisStore: `client` must be a node-redis client (createClient() from redis or @redis/client), connected; " +
        "it has no sendCommand method.",
    );
  }
  if (options.keyPrefix !== undefined && typeof options.keyPrefix !== "string") {
    throw new TypeError(`redisStore: \`keyPrefix\` must be a string, got a ${typeof options.keyPrefix}.`);
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
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new TypeError(`redisStore: \`onError\` must be a function of the error, got a ${typeof options.onError}.`);
  }
}

function checkUrl(url: string | undefined): string {
  if (url === undefined) {
    throw new TypeError(
      'redisStore needs a Redis: pass { url: "redis://localhost:6379" } (or rediss:// for TLS), { client } (a ' +
        "connected node-redis client), or set the REDIS_URL environment variable.",
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
 * pace of dials, across every instance that shares the Redis. `redisStore({ url })` or
 * `redisStore({ client })`. Needs Redis 5 or newer, one primary (Redis Cluster is not supported).
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  checkOptions(options);
  const prefix = options.keyPrefix ?? DEFAULT_PREFIX;
  const timeout = options.commandTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  let conn: ReturnType<typeof connection>;
  let own: OwnClient | undefined;
  if (options.client) {
    conn = connection({ given: options.client }, "the client you gave", timeout);
  } else {
    const url = checkUrl(options.url ?? readEnv("REDIS_URL"));
    const report = options.onError ?? ((error: Error) => console.error(`[@telnyx-voice/redis] ${error.message}`));
    own = clientFromUrl(url, report);
    conn = connection({ own }, redactUrl(url), timeout);
  }
  const relays = new Set<Relay>();

  const eventKey = (eventId: string) => `${prefix}event:${eventId}`;
  // A call's keys share a hash tag: one slot per call.
  const callKeys = (callKey: string) => [`${prefix}call:{${callKey}}:pending`, `${prefix}call:{${callKey}}:state`];
  const ms = (value: number) => String(Math.max(1, Math.ceil(value)));

  return {
    async claimEvent(eventId: string, owner: string, leaseMs: number): Promise<ClaimResult> {
      const result = String(await conn.run("claimEvent", scripts.claim, [eventKey(eventId)], [owner, ms(leaseMs)]));
      return result as ClaimResult;
    },

    async completeEvent(eventId: string, owner: string, doneTtlMs: number): Promise<boolean> {
      return (
        Number(await conn.run("completeEvent", scripts.complete, [eventKey(eventId)], [owner, ms(doneTtlMs)])) === 1
      );
    },

    async releaseEvent(eventId: string, owner: string): Promise<void> {
      await conn.run("releaseEvent", scripts.release, [eventKey(eventId)], [owner]);
    },

    async renew(eventId: string, owner: string, leaseMs: number, callKey?: string): Promise<boolean> {
      const keys = callKey === undefined ? [eventKey(eventId)] : [eventKey(eventId), ...callKeys(callKey)];
      const args = callKey === undefined ? [owner, ms(leaseMs)] : [owner, ms(leaseMs), eventId];
      return Number(await conn.run("renew", scripts.renew, keys, args)) === 1;
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
      await conn.run("leaveCall", scripts.leave, callKeys(turn.callKey), [
        turn.eventId,
        turn.owner,
        String(turn.occurredAtMs),
        handled ? "1" : "0",
        ms(ttlMs),
      ]);
    },

    async reserve(key: string, intervalMs: number): Promise<number> {
      if (!(intervalMs > 0 && Number.isFinite(intervalMs))) {
        throw new RangeError(`redisStore.reserve: intervalMs must be a finite number > 0, got ${String(intervalMs)}.`);
      }
      return Number(await conn.run("reserve", scripts.reserve, [`${prefix}pace:${key}`], [String(intervalMs)]));
    },

    async heartbeat(instance: string, leaseMs: number): Promise<void> {
      const keys = [flowsKey("alive", instance), `${prefix}flows:instances`, flowsKey("calls", instance)];
      await conn.run("heartbeat", scripts.heartbeat, keys, [instance, ms(leaseMs)]);
    },

    async isAlive(instance: string): Promise<boolean> {
      return Number(await conn.run("isAlive", scripts.isAlive, [flowsKey("alive", instance)], [])) === 1;
    },

    async isKnown(instance: string): Promise<boolean> {
      return Number(await conn.run("isKnown", scripts.isKnown, [`${prefix}flows:instances`], [instance])) === 1;
    },

    async ownCall(instance: string, callKey: string): Promise<void> {
      await conn.run("ownCall", scripts.own, [flowsKey("calls", instance)], [callKey]);
    },

    async disownCall(instance: string, callKey: string): Promise<void> {
      await conn.run("disownCall", scripts.disown, [flowsKey("calls", instance)], [callKey]);
    },

    async takeOrphans(): Promise<string[]> {
      const calls = await conn.run(
        "takeOrphans",
        scripts.takeOrphans,
        [`${prefix}flows:instances`],
        [`${prefix}flows:calls:`],
      );
      return Array.isArray(calls) ? calls.map(String) : [];
    },

    async openRelay(instance: string, onMessage: (message: string) => Promise<string>): Promise<Relay> {
      const subscriber = await subscriberFor(own?.client ?? options.client, timeout, own?.secrets ?? []);
      const relay = await openRelay({
        instance,
        channelOf: (name) => `${prefix}flows:to:${name}`,
        subscriber,
        publish: async (channel, message) => Number(await conn.run("send", scripts.publish, [channel], [message])),
        onMessage,
      });
      relays.add(relay);
      return relay;
    },

    async close() {
      await Promise.all([...relays].map((relay) => relay.close().catch(() => undefined)));
      await conn.close();
    },
  };

  function flowsKey(kind: "alive" | "calls", instance: string): string {
    return `${prefix}flows:${kind}:${instance}`;
  }
}

/** A client to listen on: a duplicate of the store's (a subscribed client can send nothing else), connected. */
async function subscriberFor(client: unknown, timeoutMs: number, secrets: string[]): Promise<Subscriber> {
  const duplicate = (client as { duplicate?: () => unknown } | undefined)?.duplicate;
  if (typeof duplicate !== "function") {
    throw new RedisStoreError(
      "openRelay",
      "redisStore: flows on many instances listen on a second connection, made with the client's duplicate(). " +
        "Give redisStore a { url }, or a node-redis client (createClient()), which has it.",
    );
  }
  const subscriber = duplicate.call(client) as Subscriber & {
    connect(): Promise<unknown>;
    on(e: string, f: () => void): void;
  };
  // Errors of this connection are the same outage the store's own client reports; reconnecting is automatic.
  subscriber.on("error", () => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      subscriber.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not connected within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    subscriber.close().catch(() => undefined);
    const reason = scrub(error instanceof Error ? error.message : String(error), secrets);
    throw new RedisStoreError("openRelay", `redisStore: the relay could not connect (${reason}).`);
  } finally {
    clearTimeout(timer);
  }
  return subscriber;
}
