// The client the store talks through: one it makes from a URL (connected on first use, reconnecting with
// backoff, its errors scrubbed of the password and reported), or the caller's own, which the store only
// uses. Every command has a deadline, connecting included, so no store call waits without bound.
import { createHash } from "node:crypto";
import { createClient } from "@redis/client";
import { RedisStoreError } from "./errors.js";
import type { StoreOperation } from "./operations.js";
import { redactUrl, scrub, secretsOf } from "./redact.js";

/**
 * What the store needs of a Redis client: node-redis's `sendCommand` (a `createClient()` client, connected,
 * fits). Each command gets a `timeout`.
 */
export interface RedisCommandClient {
  sendCommand(args: readonly string[], options?: { timeout?: number }): Promise<unknown>;
}

export interface Script {
  source: string;
  sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

export interface Connection {
  run(operation: StoreOperation, script: Script, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  close(): Promise<void>;
}

/** What the store uses of a client it made itself. */
interface ManagedClient extends RedisCommandClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
  /** A new client with the same options: the relay listens on one (a subscribed client sends nothing else). */
  duplicate(): ManagedClient & { subscribe(channel: string, listener: (message: string) => void): Promise<void> };
}

export interface OwnClient {
  client: ManagedClient;
  secrets: string[];
  /** The last connection error, scrubbed, while not connected. */
  lastError(): string | undefined;
}

/**
 * What went wrong, in words. Some errors carry none of their own: a refused connection is an AggregateError
 * with an empty message (one inner error per address tried), a socket closed under node-redis may say nothing.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.replace(/[.\s]+$/, "");
  if (message) return `${error.name}: ${message}`;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) return [...new Set(inner.map(reasonOf))].join("; ");
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === "string" ? ` ${code}` : ""} (the connection failed; Redis gave no reason)`;
}

/** A client made from `url`: not connected until the first command. */
export function clientFromUrl(url: string, onError: (error: Error) => void): OwnClient {
  const secrets = secretsOf(url);
  const client = createClient({
    url,
    // Reconnect at once, then back off to 2 s between tries; commands meanwhile wait in the offline queue
    // until their own timeout.
    socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
  });
  let healthy = true;
  let last: string | undefined;
  // Without a listener, a connection error would crash the process. Reported once per outage.
  client.on("error", (error: unknown) => {
    last = scrub(reasonOf(error), secrets);
    if (!healthy) return;
    healthy = false;
    onError(new Error(`redisStore (${redactUrl(url)}): ${last}. Reconnecting.`));
  });
  client.on("ready", () => {
    healthy = true;
    last = undefined;
  });
  return { client: client as unknown as ManagedClient, secrets, lastError: () => last };
}

function deadline<T>(work: Promise<T>, ms: number, fail: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fail()), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export function connection(
  target: { own: OwnClient } | { given: RedisCommandClient },
  where: string,
  commandTimeoutMs: number,
): Connection {
  const secrets = "own" in target ? target.own.secrets : [];
  const sender: RedisCommandClient = "own" in target ? target.own.client : target.given;
  let connecting: Promise<unknown> | undefined;
  let closed = false;

  const failure = (operation: StoreOperation, error: unknown) => {
    const reason = scrub(reasonOf(error), secrets);
    const hint = /closed/i.test(reason)
      ? "The client is closed: connect it first (await client.connect()), and close the store only at shutdown."
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

  const send = (args: string[]) => sender.sendCommand(args, { timeout: commandTimeoutMs });

  const attempt = async (operation: StoreOperation, { source, sha }: Script, tail: string[]) => {
    await ready(operation);
    try {
      return await send(["EVALSHA", sha, ...tail]);
    } catch (error) {
      // First use on this server (or after SCRIPT FLUSH): send the script itself, which caches it.
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return await send(["EVAL", source, ...tail]);
    }
  };

  return {
    async run(operation, script, keys, args) {
      const tail = [String(keys.length), ...keys, ...args];
      try {
        // The whole operation has one deadline, connecting included. node-redis's own `timeout` ends only a
        // command still waiting to be written: once written to a Redis that stalls with the connection open
        // (SIGSTOP, a long blocking script), the command waits for as long as Redis does. It may still run
        // when Redis wakes; the caller has been told it failed and acts on nothing it has not seen confirmed.
        return await deadline(attempt(operation, script, tail), commandTimeoutMs, () => {
          const last = "own" in target ? target.own.lastError() : undefined;
          return new Error(
            last
              ? `not connected within commandTimeoutMs (${commandTimeoutMs} ms); last error: ${last}`
              : `no answer within commandTimeoutMs (${commandTimeoutMs} ms): Redis is unreachable, stalled or overloaded`,
          );
        });
      } catch (error) {
        throw error instanceof RedisStoreError ? error : failure(operation, error);
      }
    },

    async close() {
      if (!("own" in target) || closed) return;
      closed = true;
      const client = target.own.client;
      if (!client.isOpen) return;
      await deadline(client.close(), commandTimeoutMs, () => new Error("close timed out")).catch(() =>
        client.destroy(),
      );
    },
  };
}
