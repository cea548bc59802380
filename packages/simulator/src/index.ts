// @telnyx-voice/simulator: a local Telnyx Call Control server with signed webhooks, for offline call flows.
export { startSimulator } from "./simulator.js";
export type { Simulator, EmittedEventRecord } from "./simulator.js";
export { DEFAULT_API_KEY } from "./options.js";
export type { SimulatorOptions, SimulatorLogger } from "./options.js";
export { InvalidInboundCall } from "./calls/inbound.js";
export type { InboundCallOptions } from "./calls/inbound.js";
export type { SimCall, CallState, CallDirection, HangupCause, EmittedEvent } from "./calls/types.js";
export { OUTCOME_RULES, outcomeFor } from "./calls/outcomes.js";
export type { DialOutcome } from "./calls/outcomes.js";
export type { Fault, FaultRule, FaultOptions, FaultInjector } from "./http/faults.js";
export type { DeliveryRecord, RedeliveryOptions } from "./delivery/dispatcher.js";
export { responseValidator, eventValidator } from "./schema/validators.js";
export { webhookEventTypes } from "./schema/events.js";
