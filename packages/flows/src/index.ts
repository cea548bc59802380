// @telnyx-voice/flows: a call's commands as awaitable steps, on @telnyx-voice/client and @telnyx-voice/webhooks.
export { CallFlows, type CallFlowsOptions } from "./call-flows.js";
export { DEFAULT_CLIENT_STATE_LIMIT } from "./client-state.js";
export {
  ActionFailedError,
  CallEndedError,
  DialFailedError,
  FlowError,
  FlowStateError,
  FlowTimeoutError,
  type HangupPayload,
} from "./errors.js";
export { type Completion, completions, eventsAfterHangup } from "./generated/completions.js";
export type {
  ActionPromise,
  ActionResult,
  Call,
  CallInfo,
  EventPayload,
  FlowActionMethod,
  FlowActions,
  FlowArgs,
  FlowBody,
  FlowCommandOptions,
  MediaStreamSource,
  RunningAction,
} from "./types.js";
