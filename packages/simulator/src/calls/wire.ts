// Every shape a call takes on the wire, from one call record: the status the API returns, an active-call list
// item, the dial response, the common fields of its webhook payloads, and the far-end summary.
import type { ActiveCall, CallStatus } from "@telnyx-voice/types";
import type { CallRecord, SimCall } from "./types.js";

const durationSecs = (call: CallRecord) => (call.answeredAt ? Math.floor((Date.now() - call.answeredAt) / 1000) : 0);

/** `GET /calls/{id}` and the base of the dial response. */
export function callStatus(call: CallRecord): CallStatus {
  const status: CallStatus = {
    call_control_id: call.callControlId,
    call_leg_id: call.callLegId,
    call_session_id: call.callSessionId,
    is_alive: call.state !== "ended",
    record_type: "call",
    start_time: call.startTime,
    call_duration: durationSecs(call),
  };
  if (call.clientState !== undefined) status.client_state = call.clientState;
  if (call.endTime) status.end_time = call.endTime;
  return status;
}

/** `POST /calls`: the new call is not alive until the far end answers. */
export function dialResponse(call: CallRecord, recordingId: string | undefined) {
  const data: Record<string, unknown> = { ...callStatus(call), is_alive: false };
  if (recordingId) data.recording_id = recordingId;
  return { data };
}

/** An item of `GET /connections/{id}/active_calls`. */
export function activeCall(call: CallRecord): ActiveCall {
  return {
    call_control_id: call.callControlId,
    call_leg_id: call.callLegId,
    call_session_id: call.callSessionId,
    client_state: call.clientState ?? "",
    call_duration: durationSecs(call),
    record_type: "call",
  };
}

/** The fields every event's payload starts from; the emitter keeps those the spec declares for the event. */
export function eventPayloadBase(call: CallRecord): Record<string, unknown> {
  return {
    call_control_id: call.callControlId,
    call_leg_id: call.callLegId,
    call_session_id: call.callSessionId,
    connection_id: call.connectionId,
    client_state: call.clientState,
    from: call.from,
    to: call.to,
    direction: call.direction,
    start_time: call.startTime,
    tags: [],
  };
}

/** A call as the far-end control endpoints (`/_simulator/*`) show it. */
export function farEndSummary(call: SimCall) {
  return {
    call_control_id: call.callControlId,
    call_leg_id: call.callLegId,
    call_session_id: call.callSessionId,
    connection_id: call.connectionId,
    direction: call.direction,
    from: call.from,
    to: call.to,
    state: call.state,
    hangup_cause: call.hangupCause ?? null,
    bridged_with: call.bridgedWith ?? null,
    events: call.eventTypes,
  };
}
