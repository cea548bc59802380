// @telnyx-voice/types: the Telnyx Voice API slice as TypeScript types, no runtime code.
// `generated/` is printed by `pnpm generate`; this file and maps.ts derive the names users reach for.
import type { paths } from "./generated/voice.js";
import type { RequestBodyOf, ResponseBodyOf, QueryOf, Schemas } from "./maps.js";

export type { components, operations, paths, webhooks } from "./generated/voice.js";
export type * from "./maps.js";
export type * from "./generated/aliases.js";

/** Body of `POST /calls` (dial). Required: `connection_id`, `from`, `to`. */
export type DialRequest = RequestBodyOf<"/calls", "post">;
/** Response of `POST /calls`. */
export type DialResponse = ResponseBodyOf<"/calls", "post">;
/** A call's status, as `GET /calls/{call_control_id}` returns it. */
export type CallStatus = Schemas["Call"];
/** A call control application (`/call_control_applications`). */
export type CallControlApplication = Schemas["CallControlApplication"];
export type CallControlApplicationCreate = RequestBodyOf<"/call_control_applications", "post">;
export type CallControlApplicationUpdate = RequestBodyOf<"/call_control_applications/{id}", "patch">;
export type CallControlApplicationListQuery = QueryOf<"/call_control_applications", "get">;
/** One item of `GET /connections/{connection_id}/active_calls`. */
export type ActiveCall = NonNullable<ResponseBodyOf<"/connections/{connection_id}/active_calls", "get">["data"]>[number];
export type ActiveCallsListQuery = QueryOf<"/connections/{connection_id}/active_calls", "get">;
/** One error object of the API's `{ errors: [...] }` responses. */
export type ApiErrorObject = Schemas["call-control_Error"];
/** Every path of the slice. */
export type Path = keyof paths;
