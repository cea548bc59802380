import type { DialRequest, DialResponse, ResponseBodyOf } from "@telnyx-voice/types";
import { type APIPromise, apiPromiseAfter } from "../api-promise.js";
import type { DialPacer } from "../dial-rate.js";
import type { RequestOptions } from "../options.js";
import type { Transport } from "../transport.js";
import { type ActionSender, type CallActions, createActions } from "./actions.js";

export type CallStatusResponse = ResponseBodyOf<"/calls/{call_control_id}", "get">;

export class Calls {
  /** Call commands: `telnyx.calls.actions.answer(callControlId)`, `...speak(id, { payload, voice })`, ... */
  readonly actions: CallActions;
  readonly #send: Transport;
  readonly #pacer: DialPacer | undefined;

  constructor(send: Transport, sendAction: ActionSender, pacer?: DialPacer) {
    this.#send = send;
    this.#pacer = pacer;
    this.actions = createActions(sendAction);
  }

  /**
   * `POST /calls`: dial a number or SIP URI from a connection. `res.data.call_control_id` addresses the new call.
   * With the client's `dialRate`, the dial first waits for its slot.
   */
  dial(body: DialRequest, options?: RequestOptions): APIPromise<DialResponse> {
    const pacer = this.#pacer;
    if (!pacer) return this.#send("POST", "/calls", { body }, options);
    return apiPromiseAfter(pacer.wait(options?.signal), () => this.#send("POST", "/calls", { body }, options));
  }

  /** `GET /calls/{call_control_id}`: whether the call is alive, and for how long. */
  retrieveStatus(callControlId: string, options?: RequestOptions): APIPromise<CallStatusResponse> {
    return this.#send("GET", "/calls/{call_control_id}", { path: { call_control_id: callControlId } }, options);
  }
}
