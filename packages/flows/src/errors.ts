// Every error a flow's awaits reject with: one base class, each with the facts a caller branches on.
import type { CallEventOf, CallEventType } from "@telnyx-voice/types";

type Payload<T extends CallEventType> = NonNullable<CallEventOf<T>["data"]["payload"]>;
/** The payload of `call.hangup`: `hangup_cause`, `sip_hangup_cause`, `hangup_source`, ... */
export type HangupPayload = Payload<"call.hangup">;

/** The base class of the errors below. */
export class FlowError extends Error {
  override name = "FlowError";
}

/**
 * The call hung up (or was rejected) while this was awaited, or a command was given after it ended. Code after
 * `await call.speak(...)` never runs against a dead call: the await rejects with this instead.
 */
export class CallEndedError extends FlowError {
  override name = "CallEndedError";
  /** The hangup's payload as Telnyx sent it. */
  readonly payload: HangupPayload;
  readonly hangup_cause: HangupPayload["hangup_cause"];
  readonly sip_hangup_cause: HangupPayload["sip_hangup_cause"];
  readonly call_control_id: string;

  constructor(callControlId: string, payload: HangupPayload, message?: string) {
    super(
      message ??
        `Call ${callControlId} has ended (${payload.hangup_cause ?? "no hangup_cause"}${
          payload.sip_hangup_cause ? `, SIP ${payload.sip_hangup_cause}` : ""
        }); nothing more can be done on it.`,
    );
    this.payload = payload;
    this.hangup_cause = payload.hangup_cause;
    this.sip_hangup_cause = payload.sip_hangup_cause;
    this.call_control_id = callControlId;
  }
}

/** `flows.dial()`: the far end was busy, did not answer, rejected the call, or it failed before being answered. */
export class DialFailedError extends CallEndedError {
  override name = "DialFailedError";

  constructor(callControlId: string, payload: HangupPayload) {
    super(
      callControlId,
      payload,
      `The dialled call ${callControlId} ended before it was answered: ${payload.hangup_cause ?? "no hangup_cause"}${
        payload.sip_hangup_cause ? ` (SIP ${payload.sip_hangup_cause})` : ""
      }.`,
    );
  }
}

/** An action that Telnyx reports as failed by an event (`call.refer.failed`, `siprec.failed`, a transfer leg's hangup). */
export class ActionFailedError extends FlowError {
  override name = "ActionFailedError";
  readonly action: string;
  /** The type of the event that failed it. */
  readonly event_type: string;
  readonly payload: Record<string, unknown>;

  constructor(action: string, eventType: string, payload: Record<string, unknown>) {
    super(`${action} failed: Telnyx sent ${eventType}${describeCause(payload)}.`);
    this.action = action;
    this.event_type = eventType;
    this.payload = payload;
  }
}

/** Nothing completed the await within its timeout. The call is left as it is. */
export class FlowTimeoutError extends FlowError {
  override name = "FlowTimeoutError";
  readonly action: string;
  readonly timeoutMs: number;
  /** The types of the call's events that arrived while it waited (none of them completed it). */
  readonly arrived: readonly string[];

  constructor(action: string, waitingFor: readonly string[], timeoutMs: number, arrived: readonly string[] = []) {
    super(
      `${action}: no ${waitingFor.join(" or ")} within ${timeoutMs} ms (${
        arrived.length ? `${arrived.join(", ")} arrived` : "no event of this call arrived meanwhile"
      }). Pass { timeoutMs } to wait longer.`,
    );
    this.action = action;
    this.timeoutMs = timeoutMs;
    this.arrived = arrived;
  }
}

/** `call.state` cannot travel in `client_state`: not JSON, or over the size limit. */
export class FlowStateError extends FlowError {
  override name = "FlowStateError";
}

function describeCause(payload: Record<string, unknown>): string {
  const cause = payload.hangup_cause ?? payload.failure_cause ?? payload.reason ?? payload.sip_notify_response;
  return cause === undefined ? "" : ` (${String(cause)})`;
}
