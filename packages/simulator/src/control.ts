// `/_simulator/*`: the far end of calls, over HTTP, for apps that run the simulator as a separate process
// (the CLI). Same bearer key as the API. Everything here is also on the programmatic `Simulator` object.
import { checkNumber } from "./checks.js";
import type { CallEngine } from "./calls/state-machine.js";
import type { HangupCause, SimCall } from "./calls/types.js";
import { invalidParameter, resourceNotFound, routeNotFound, SimulatorHttpError } from "./errors.js";

export interface InboundCallOptions {
  from: string;
  to: string;
  /** The call control application (connection) the number belongs to; its webhook URL gets the events. */
  connectionId: string;
  /** Overrides the application's webhook URL for this call. */
  webhookUrl?: string;
  clientState?: string;
  /** Digits the caller presses when the app first gathers. */
  digits?: string;
}

export interface ControlContext {
  engine: CallEngine;
  inboundCall(options: InboundCallOptions): SimCall;
}

function str(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const value = body[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value === "") {
    throw invalidParameter(`'${key}' is required and must be a non-empty string.`, { pointer: `/${key}` });
  }
  return value;
}

export function summary(call: SimCall) {
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
    events: call.eventTypes,
  };
}

function wrap(fn: () => unknown) {
  try {
    return fn();
  } catch (error) {
    if (error instanceof SimulatorHttpError) throw error;
    // Far-end helpers throw plain errors for bad input (e.g. digits); they are the caller's mistake.
    throw new SimulatorHttpError(422, [
      { code: "10015", title: "Invalid parameter", detail: error instanceof Error ? error.message : String(error) },
    ]);
  }
}

export function handleControl(ctx: ControlContext, method: string, path: string, body: Record<string, unknown>) {
  if (method === "POST" && path === "/inbound_calls") {
    const call = wrap(() => {
      // The far end dials in with real numbers too: the same forms dial accepts.
      checkNumber(body.from, "/from");
      checkNumber(body.to, "/to");
      return ctx.inboundCall({
        from: str(body, "from", true)!,
        to: str(body, "to", true)!,
        connectionId: str(body, "connection_id", true)!,
        webhookUrl: str(body, "webhook_url", false),
        clientState: str(body, "client_state", false),
        digits: str(body, "digits", false),
      });
    }) as SimCall;
    return { status: 201, body: { data: summary(call) } };
  }
  if (method === "GET" && path === "/calls") {
    return { status: 200, body: { data: [...ctx.engine.calls.values()].map((c) => summary(ctx.engine.handle(c))) } };
  }
  const m = /^\/calls\/([^/]+)\/(press_digits|hangup)$/.exec(path);
  if (method === "POST" && m) {
    const id = decodeURIComponent(m[1]!);
    const record = ctx.engine.calls.get(id);
    if (!record) throw resourceNotFound("Call", id);
    const call = ctx.engine.handle(record);
    if (m[2] === "press_digits") wrap(() => call.pressDigits(str(body, "digits", true)!));
    else wrap(() => call.hangup((str(body, "cause", false) as HangupCause | undefined) ?? "normal_clearing"));
    return { status: 200, body: { data: summary(call) } };
  }
  throw routeNotFound(method, `/_simulator${path}`);
}
