// `telnyx.calls.actions.<name>`: one generic function per entry of the generated route table (checked
// against the spec's `paths`), typed by the generated CallActions interface (a member per action of the spec,
// with its summary and reference link), so a new action needs only `pnpm generate`.
import type { ActionName, ActionPath } from "@telnyx-voice/types";
import { actionRoutes, type CallActions } from "../generated/actions.js";
import type { APIPromise } from "../api-promise.js";
import type { RequestOptions } from "../options.js";

/** An action's signature: the body is optional when none of its fields is required. */
export type ActionFunction<Body, Response> = [Body] extends [never]
  ? (callControlId: string, body?: undefined, options?: RequestOptions) => APIPromise<Response>
  : Record<never, never> extends Body
    ? (callControlId: string, body?: Body, options?: RequestOptions) => APIPromise<Response>
    : (callControlId: string, body: Body, options?: RequestOptions) => APIPromise<Response>;

/** Every `/calls/{call_control_id}/actions/*` command of the spec (generated, each with its doc comment). */
export type { CallActions };

/** How an action reaches the request path: one of the spec's action paths, with the method the table gives it. */
export type ActionSender = (
  method: "POST" | "PUT",
  path: ActionPath,
  callControlId: string,
  body: unknown,
  options: RequestOptions | undefined,
) => APIPromise<unknown>;

export function createActions(send: ActionSender): CallActions {
  const actions: Partial<
    Record<ActionName, (id: string, body?: unknown, options?: RequestOptions) => APIPromise<unknown>>
  > = {};
  for (const name of Object.keys(actionRoutes) as ActionName[]) {
    const [method, path] = actionRoutes[name];
    // An empty object still carries the generated `command_id`.
    actions[name] = (callControlId, body, options) => send(method, path, callControlId, body ?? {}, options);
  }
  // Assembled from the table, which `satisfies` each action's own method and path in `paths`; the mapped
  // type gives each action its body and response from the same `paths`.
  return actions as CallActions;
}
