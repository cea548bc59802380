// @telnyx-voice/redis: the WebhookStore of @telnyx-voice/webhooks on Redis, so that many instances handle
// each Telnyx webhook exactly once, one at a time and in order per call, and pace their dials together.
export type { RedisClusterCommandClient, RedisCommandClient } from "./connection.js";
export { RedisStoreError } from "./errors.js";
export type { StoreOperation } from "./operations.js";
export { type RedisStore, type RedisStoreOptions, redisStore } from "./store.js";
