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
  | "isKnown"
  | "ownCall"
  | "disownCall"
  | "takeOrphans"
  | "openRelay"
  | "send";
