// `telnyx.calls.actions.<name>`: one generic function per entry of the generated route table, typed by
// a mapped type over the spec's action names, so a new action needs only `pnpm generate`.
import type { ActionBodies, ActionName, ActionResponses } from "@telnyx-voice/types";
import { actionRoutes } from "../generated/actions.js";
import type { RequestOptions } from "../options.js";
import type { Transport } from "../transport.js";
import { requireId } from "../validation.js";

/** An action's signature: the body is optional when none of its fields is required. */
export type ActionFunction<Body, Response> = [Body] extends [never]
  ? (callControlId: string, body?: undefined, options?: RequestOptions) => Promise<Response>
  : Record<never, never> extends Body
    ? (callControlId: string, body?: Body, options?: RequestOptions) => Promise<Response>
    : (callControlId: string, body: Body, options?: RequestOptions) => Promise<Response>;

/** Every `/calls/{call_control_id}/actions/*` command of the spec, by the lowerCamelCase of its last segment. */
export type CallActions = { readonly [N in ActionName]: ActionFunction<ActionBodies[N], ActionResponses[N]> };

export function createActions(send: Transport): CallActions {
  const actions: Record<string, (id: string, body?: unknown, options?: RequestOptions) => Promise<unknown>> = {};
  for (const [name, [method, path]] of Object.entries(actionRoutes)) {
    // async: an empty id is a rejected promise like any other failure, not a synchronous throw.
    actions[name] = async (callControlId, body, options) => {
      requireId(name, "call_control_id", callControlId);
      // An empty object still carries the generated `command_id`.
      return send(method, path, { path: { call_control_id: callControlId }, body: body ?? {} }, options);
    };
  }
  return actions as CallActions;
}
