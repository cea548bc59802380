import type { DialRequest, DialResponse, ResponseBodyOf } from "@telnyx-voice/types";
import { ValidationError } from "../errors.js";
import type { RequestOptions } from "../options.js";
import type { Transport } from "../transport.js";
import { requireId } from "../validation.js";
import { type CallActions, createActions } from "./actions.js";

export type CallStatusResponse = ResponseBodyOf<"/calls/{call_control_id}", "get">;

export class Calls {
  /** Call commands: `telnyx.calls.actions.answer(callControlId)`, `...speak(id, { payload, voice })`, ... */
  readonly actions: CallActions;
  readonly #send: Transport;

  constructor(send: Transport) {
    this.#send = send;
    this.actions = createActions(send);
  }

  /** `POST /calls`: dial a number or SIP URI from a connection. `res.data.call_control_id` addresses the new call. */
  // async: a refused argument is a rejected promise, like every other failure, never a synchronous throw.
  async dial(body: DialRequest, options?: RequestOptions): Promise<DialResponse> {
    if (body === null || typeof body !== "object") {
      throw new ValidationError("dial", "body", body, "an object with connection_id, from and to", "argument");
    }
    // Required by the spec; refused here rather than by a 422 after a round trip.
    for (const field of ["connection_id", "from", "to"] as const) {
      if (body[field] === undefined || body[field] === null || body[field] === "") {
        throw new ValidationError("dial", field, body[field], `a value: connection_id, from and to are required`);
      }
    }
    return this.#send("POST", "/calls", { body }, options);
  }

  /** `GET /calls/{call_control_id}`: whether the call is alive, and for how long. */
  async retrieveStatus(callControlId: string, options?: RequestOptions): Promise<CallStatusResponse> {
    requireId("retrieveStatus", "call_control_id", callControlId);
    return this.#send("GET", "/calls/{call_control_id}", { path: { call_control_id: callControlId } }, options);
  }
}
