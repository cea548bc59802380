// @telnyx-voice/simulator: a local Telnyx Call Control server with signed webhooks, for offline call flows.
export { startSimulator, DEFAULT_API_KEY } from "./simulator.js";
export type { Simulator, SimulatorOptions, EmittedEventRecord } from "./simulator.js";
export type { InboundCallOptions } from "./control.js";
export type { SimCall, CallState, CallDirection, HangupCause, EmittedEvent } from "./calls/types.js";
export { OUTCOME_RULES, outcomeFor } from "./calls/outcomes.js";
export type { DialOutcome } from "./calls/outcomes.js";
export type { Fault, FaultRule, FaultOptions, FaultInjector } from "./faults.js";
export type { DeliveryRecord, RedeliveryOptions } from "./webhook-dispatcher.js";
export { responseValidator, eventValidator, webhookEventTypes } from "./validation.js";
