// The client the store talks through: one it makes from a URL or from Redis Cluster options (connected on first
// use, reconnecting with backoff, its errors scrubbed of passwords and reported), or the caller's own, which the
// store only uses. Every operation has a deadline, connecting included, so no store call waits without bound.
//
// On a cluster each command goes to the master serving its first key's slot; every script's keys share one
// slot (see store.ts for the layout), so none is refused with CROSSSLOT.
import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";
import { createClient, createCluster, type RedisClusterOptions } from "@redis/client";
import { RedisStoreError } from "./errors.js";
import type { StoreOperation } from "./operations.js";
import { redactUrl, scrub, secretsOf } from "./redact.js";

/**
 * What the store needs of a Redis client: node-redis's `sendCommand` (a `createClient()` client, connected,
 * fits). Each command gets a `timeout`.
 */
export interface RedisCommandClient {
  sendCommand(args: readonly string[], options?: CommandOptions): Promise<unknown>;
}

/** The command options the store sets: no per-command timer, one shared abort signal (see `sharedAbort`). */
interface CommandOptions {
  timeout?: number;
  abortSignal?: AbortSignal;
}

/**
 * What the store needs of a Redis Cluster client: node-redis's (a `createCluster()` client, connected, fits).
 * Commands are routed by their first key; WAIT goes to the connection of the master serving a key.
 */
export interface RedisClusterCommandClient {
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: CommandOptions,
  ): Promise<unknown>;
  getNodeClientForKey(key: string, isReadonly?: boolean): Promise<RedisCommandClient>;
}

export function isClusterClient(client: unknown): client is RedisClusterCommandClient {
  return typeof (client as Partial<RedisClusterCommandClient> | undefined)?.getNodeClientForKey === "function";
}

export interface Script {
  source: string;
  sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

export interface Connection {
  /**
   * Runs `script` (EVALSHA, EVAL when Redis does not have it yet) on the node serving `keys[0]`. When
   * `replicated(result)` says it wrote and the store waits for replicas, the write is confirmed with WAIT on the
   * same connection before the result counts: all within one deadline.
   */
  run(
    operation: StoreOperation,
    script: Script,
    keys: readonly string[],
    args: readonly string[],
    replicated?: (result: unknown) => boolean,
  ): Promise<unknown>;
  /** One command that needs no script, on the node serving `key` (a channel, for SPUBLISH). */
  command(operation: StoreOperation, key: string, args: readonly string[]): Promise<unknown>;
  close(): Promise<void>;
}

/** What the store uses of a client or cluster client it made itself. */
interface Managed {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export type ManagedClient = Managed & RedisCommandClient & { duplicate(): ManagedClient & Listener };
export type ManagedCluster = Managed & RedisClusterCommandClient & { duplicate(): ManagedCluster & ShardedListener };

interface Listener {
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
}
interface ShardedListener {
  sSubscribe(channel: string, listener: (message: string) => void): Promise<void>;
}

export interface OwnClient {
  client: ManagedClient | ManagedCluster;
  secrets: string[];
  /** The last connection error, scrubbed, while not connected. */
  lastError(): string | undefined;
}

/**
 * What went wrong, in words. Some errors carry none of their own: a refused connection is an AggregateError
 * with an empty message (one inner error per address tried), a socket closed under node-redis may say nothing.
 */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.replace(/[.\s]+$/, "");
  if (message) return `${error.name}: ${message}`;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) return [...new Set(inner.map(reasonOf))].join("; ");
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === "string" ? ` ${code}` : ""} (the connection failed; Redis gave no reason)`;
}

// Reconnect at once, then back off to 2 s between tries; commands meanwhile wait in the offline queue until
// their own deadline.
const SOCKET = { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) };

/**
 * Reports a client's connection errors once per outage (without a listener an error would crash the process),
 * and keeps the last one for the deadline's message.
 */
function watch(client: Managed, where: string, secrets: string[], onError: (error: Error) => void) {
  let healthy = true;
  let last: string | undefined;
  const failed = (error: unknown) => {
    last = scrub(reasonOf(error), secrets);
    if (!healthy) return;
    healthy = false;
    onError(new Error(`redisStore (${where}): ${last}. Reconnecting.`));
  };
  const back = () => {
    healthy = true;
    last = undefined;
  };
  client.on("error", failed);
  // A cluster client reports each node's connection apart.
  client.on("node-error", failed);
  client.on("ready", back);
  client.on("node-ready", back);
  return () => last;
}

/** A client made from `url`: not connected until the first command. */
export function clientFromUrl(url: string, onError: (error: Error) => void): OwnClient {
  const secrets = secretsOf(url);
  const client = createClient({ url, socket: SOCKET }) as unknown as ManagedClient;
  return { client, secrets, lastError: watch(client, redactUrl(url), secrets, onError) };
}

/** The passwords in cluster options: each root node's URL and password, and the defaults'. */
function clusterSecrets(options: RedisClusterOptions): string[] {
  const secrets: string[] = [];
  for (const node of [...options.rootNodes, options.defaults ?? {}]) {
    secrets.push(...secretsOf(node.url));
    if (typeof node.password === "string" && node.password) secrets.push(node.password);
  }
  return secrets;
}

/** Where a cluster is, for messages: its root nodes, passwords hidden. */
export function clusterWhere(options: RedisClusterOptions): string {
  const nodes = options.rootNodes.map((node) =>
    node.url ? redactUrl(node.url) : `${node.socket && "host" in node.socket ? node.socket.host : "?"}`,
  );
  return `the cluster of ${nodes.join(", ")}`;
}

/** A cluster client made from `options` (node-redis's createCluster options): not connected until first use. */
export function clusterFromOptions(options: RedisClusterOptions, onError: (error: Error) => void): OwnClient {
  const secrets = clusterSecrets(options);
  const client = createCluster({
    ...options,
    defaults: { ...options.defaults, socket: { ...SOCKET, ...options.defaults?.socket } },
    // node-redis asks for the topology again once a node has been reconnecting for 5 s; at 1 s a failover (a
    // replica taking over a dead master) is seen sooner, and asked again at most every second (at the node's
    // reconnection tries) until it is.
    topologyRefreshOnReconnectionAttemptStrategy: options.topologyRefreshOnReconnectionAttemptStrategy ?? 1000,
  } as RedisClusterOptions) as unknown as ManagedCluster;
  return { client, secrets, lastError: watch(client, clusterWhere(options), secrets, onError) };
}

/**
 * The abort signal for a command sent now. node-redis drops a command still waiting to be written (queued while
 * it reconnects) when its signal aborts. Its own per-command `timeout` makes an AbortSignal.timeout for every
 * command: about 20 us each, and a DOMException when its timer fires long after the reply, a tenth of a busy
 * receiver's CPU. Commands share one signal per slice of time instead (50 ms, or a quarter of the timeout when
 * that is shorter), aborted `timeoutMs` after its slice ends: a queued command is dropped at most one slice
 * after its own deadline, when the caller has already been told it failed.
 */
function sharedAbort(timeoutMs: number): () => AbortSignal {
  const sliceMs = Math.max(1, Math.min(50, Math.floor(timeoutMs / 4)));
  let endsAt = Number.NEGATIVE_INFINITY;
  let controller = new AbortController();
  return () => {
    const at = performance.now();
    if (at >= endsAt) {
      const current = new AbortController();
      // Every command of the slice listens on it until written: many listeners by design, not a leak.
      setMaxListeners(0, current.signal);
      controller = current;
      endsAt = at + sliceMs;
      const timer = setTimeout(() => current.abort(), sliceMs + timeoutMs) as { unref?: () => void };
      timer.unref?.();
    }
    return controller.signal;
  };
}

function deadline<T>(work: Promise<T>, ms: number, fail: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fail()), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export function connection(
  target: { own: OwnClient } | { given: RedisCommandClient | RedisClusterCommandClient },
  where: string,
  commandTimeoutMs: number,
  waitForReplicas: number,
): Connection {
  const secrets = "own" in target ? target.own.secrets : [];
  const client = "own" in target ? target.own.client : target.given;
  let connecting: Promise<unknown> | undefined;
  let closed = false;

  // timeout 0: none of node-redis's own timers (a client's default is 5 s), the shared signal instead.
  const signal = sharedAbort(commandTimeoutMs);
  const options = () => ({ timeout: 0, abortSignal: signal() });
  // The two client shapes: a cluster routes by the first key; a single Redis takes every command.
  const send = isClusterClient(client)
    ? (key: string | undefined, args: string[]) => client.sendCommand(key, false, args, options())
    : (_key: string | undefined, args: string[]) => client.sendCommand(args, options());
  // WAIT counts the replicas that have every write this connection sent before it. On a cluster it must go to
  // the master that took the write (node-redis would send a bare WAIT to every master), on its one connection.
  const wait = isClusterClient(client)
    ? async (key: string, args: string[]) => (await client.getNodeClientForKey(key, false)).sendCommand(args, options())
    : (_key: string, args: string[]) => client.sendCommand(args, options());

  const failure = (operation: StoreOperation, error: unknown) => {
    const reason = scrub(reasonOf(error), secrets);
    const hint = /closed/i.test(reason)
      ? "The client is closed: connect it first (await client.connect()), and close the store only at shutdown."
      : /CROSSSLOT|MOVED|ASK /.test(reason)
        ? "The client you gave talks to one node of a Redis Cluster: give redisStore a createCluster() client, or { cluster: { rootNodes: [{ url }] } }."
        : `Check that Redis at ${where} is up and reachable, and that commandTimeoutMs (${commandTimeoutMs} ms) suits it.`;
    return new RedisStoreError(operation, `redisStore: ${operation} failed (${reason}). ${hint}`);
  };

  const ready = (operation: StoreOperation): Promise<unknown> => {
    if (!("own" in target)) return Promise.resolve();
    if (closed) return Promise.reject(failure(operation, new Error("the store was closed")));
    connecting ??= target.own.client.connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  const evaluate = async ({ source, sha }: Script, key: string | undefined, tail: string[]) => {
    try {
      return await send(key, ["EVALSHA", sha, ...tail]);
    } catch (error) {
      // First use on this server (or after SCRIPT FLUSH, or on a replica just promoted): send the script
      // itself, which caches it.
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return await send(key, ["EVAL", source, ...tail]);
    }
  };

  /** The whole operation has one deadline, connecting and confirming included. */
  const bounded = async <T>(operation: StoreOperation, work: (endsAt: number) => Promise<T>): Promise<T> => {
    const endsAt = performance.now() + commandTimeoutMs;
    try {
      // node-redis's abort (the shared signal) ends only a command still waiting to be written: once written to a
      // Redis that stalls with the connection open (SIGSTOP, a long blocking script), the command waits for as
      // long as Redis does. It may still run when Redis wakes; the caller has been told it failed and acts on
      // nothing it has not seen confirmed.
      return await deadline(
        ready(operation).then(() => work(endsAt)),
        commandTimeoutMs,
        () => {
          const last = "own" in target ? target.own.lastError() : undefined;
          return new Error(
            last
              ? `not connected within commandTimeoutMs (${commandTimeoutMs} ms); last error: ${last}`
              : `no answer within commandTimeoutMs (${commandTimeoutMs} ms): Redis is unreachable, stalled or overloaded`,
          );
        },
      );
    } catch (error) {
      throw error instanceof RedisStoreError ? error : failure(operation, error);
    }
  };

  /** WAIT for `waitForReplicas` replicas of the node serving `key`, for most of what is left of the deadline. */
  const confirm = async (operation: StoreOperation, key: string, endsAt: number) => {
    // The server's bound is shorter than ours, so that its answer (too few replicas) arrives before our deadline
    // and says so: Redis ends a blocked command on its clock's tick (10 a second by default), up to 100 ms late.
    // Never 0: WAIT 0 would block until the replicas answer, however long.
    const left = endsAt - performance.now();
    const waitMs = Math.max(1, Math.floor(left - Math.max(150, left * 0.2)));
    const acked = Number(await wait(key, ["WAIT", String(waitForReplicas), String(waitMs)]));
    if (acked >= waitForReplicas) return;
    throw new RedisStoreError(
      operation,
      `redisStore: ${operation} failed (written on the primary, but ${acked} of the ${waitForReplicas} replicas ` +
        `asked for (waitForReplicas) confirmed it within ${waitMs} ms, so a failover could lose it). Check that ` +
        `the primary serving ${key} at ${where} has ${waitForReplicas} replica(s) in sync (INFO replication), ` +
        "or lower waitForReplicas.",
    );
  };

  return {
    run(operation, script, keys, args, replicated) {
      const tail = [String(keys.length), ...keys, ...args];
      return bounded(operation, async (endsAt) => {
        const result = await evaluate(script, keys[0], tail);
        if (waitForReplicas > 0 && keys[0] !== undefined && replicated?.(result)) {
          await confirm(operation, keys[0], endsAt);
        }
        return result;
      });
    },

    command(operation, key, args) {
      return bounded(operation, () => send(key, [...args]));
    },

    async close() {
      if (!("own" in target) || closed) return;
      closed = true;
      const own = target.own.client;
      if (!own.isOpen) return;
      await deadline(own.close(), commandTimeoutMs, () => new Error("close timed out")).catch(() => own.destroy());
    },
  };
}
