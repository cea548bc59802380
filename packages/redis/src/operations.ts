/** The WebhookStore operations, as named in errors. */
export type StoreOperation =
  | "claimEvent"
  | "completeEvent"
  | "releaseEvent"
  | "renew"
  | "joinCall"
  | "enterCall"
  | "leaveCall"
  | "reserve"
  | "heartbeat"
  | "isAlive"
  | "ownCall"
  | "disownCall"
  | "takeOrphans"
  | "openRelay"
  | "send";
