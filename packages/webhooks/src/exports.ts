// Everything both entry points export besides `Webhooks`, whose default crypto differs between them.
export type { Ed25519Provider, Ed25519Verifier } from "./crypto/provider.js";
export {
  WebhookBusyError,
  type WebhookBusyReason,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from "./errors.js";
export type {
  TelnyxWebhookEvent,
  UnknownEventType,
  UnknownWebhookEvent,
  WebhookEvent,
  WebhookEventOf,
  WebhookEventType,
  WebhookMeta,
} from "./events.js";
export { isEventType } from "./guards.js";
export type { FetchEventHandler } from "./handlers/fetch.js";
export type { NodeEventHandler, NodeRequestLike, NodeResponseLike } from "./handlers/node.js";
export type { WebhookRejection } from "./handlers/respond.js";
export type { HeaderGetter, HeaderRecord, WebhookHeaders } from "./headers.js";
export type { WebhooksOptions } from "./options.js";
export type { RouteInfo } from "./router/deliver.js";
export type { CallKeyField, RouterOptions } from "./router/options.js";
export { type RouteHandler, WebhookRouter } from "./router/router.js";
export { type MemoryStore, type MemoryStoreOptions, type MemoryStoreStats, memoryStore } from "./store/memory.js";
export type {
  CallTurn,
  ClaimAndJoinResult,
  ClaimResult,
  EnterResult,
  HeldEvent,
  Relay,
  RelayStore,
  StoreChange,
  WebhookStore,
} from "./store/store.js";
export type { RawBody } from "./verify.js";
export { WebhooksBase } from "./webhooks.js";
