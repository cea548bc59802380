// @telnyx-voice/simulator: a local Telnyx Call Control server with signed webhooks, for offline call flows.

export type { DigitsRefusal } from "./calls/digits.js";
export { DigitsRefused, MAX_DIGITS_AT_ONCE, MAX_DIGITS_WAITING } from "./calls/digits.js";
export type { InboundCallOptions } from "./calls/inbound.js";
export { InvalidInboundCall } from "./calls/inbound.js";
export type { AnsweredBy, DialOutcome } from "./calls/outcomes.js";
export {
  ANSWERED_BY_RULES,
  answeredByFor,
  OUTCOME_RULES,
  outcomeFor,
  RECORDING_ERROR_SUFFIX,
} from "./calls/outcomes.js";
export { SIMULATED_TRANSCRIPTION_TEXT } from "./calls/recording.js";
export { STREAM_FAILURE_REASON } from "./calls/streaming.js";
export type { FarEndScript } from "./calls/far-ends.js";
export type { CallDirection, CallState, EmittedEvent, HangupCause, SimCall } from "./calls/types.js";
export type { DeliveryRecord } from "./delivery/dispatcher.js";
export type { DeliveryOptions, RedeliveryOptions } from "./delivery/options.js";
export type { Fault, FaultInjector, FaultOptions, FaultRule } from "./http/faults.js";
export type { FarEndAudioRefusal, FarEndSpeech } from "./media/far-end-audio.js";
export { FarEndAudioRefused, MAX_SPEECH_QUEUED_MS } from "./media/far-end-audio.js";
export { MAX_HEARD_MS, type ReceivedAudio } from "./media/heard.js";
export type { MediaDeliveryOptions } from "./media/options.js";
export { MAX_PLAY_QUEUED_MS, MAX_QUEUED_MARKS, MAX_SOCKET_BUFFER_BYTES } from "./media/session.js";
export type { SimulatorLogger, SimulatorOptions } from "./options.js";
export { DEFAULT_API_KEY, DEFAULT_ENDED_CALL_RETENTION_MS } from "./options.js";
export { webhookEventTypes } from "./schema/events.js";
export { eventValidator, responseValidator } from "./schema/validators.js";
export type { EmittedEventRecord, Simulator } from "./simulator.js";
export { startSimulator } from "./simulator.js";
