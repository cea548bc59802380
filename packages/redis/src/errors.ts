import type { StoreOperation } from "./operations.js";

/**
 * A store operation failed in Redis: the server was unreachable, did not answer within `commandTimeoutMs`,
 * or refused the command. The message names the operation and says what to check; it never contains the
 * URL's password. Before a handler runs, the router answers such a webhook 503 (`store_unavailable`: Telnyx
 * delivers it again) and reports it, once in a while during an outage.
 */
export class RedisStoreError extends Error {
  override readonly name = "RedisStoreError";
  /** The store operation that failed, e.g. "claimEvent". */
  readonly operation: StoreOperation;

  constructor(operation: StoreOperation, message: string) {
    super(message);
    this.operation = operation;
  }
}
