// @telnyx-voice/client: the Telnyx Voice API (Call Control) over openapi-fetch, typed from the spec. One entry
// for every runtime: it sends with fetch (see Telnyx).
export { DEFAULT_BASE_URL, Telnyx } from "./telnyx.js";
export type {
  BackoffOptions,
  ClientOptions,
  DialPaceStore,
  DialRateOptions,
  Logger,
  RequestOptions,
} from "./options.js";
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  DialRateError,
  InternalServerError,
  NotFoundError,
  PaginationError,
  PermissionDeniedError,
  RateLimitError,
  ResponseTooLargeError,
  TelnyxError,
  type TelnyxErrorObject,
  UnprocessableEntityError,
  ValidationError,
} from "./errors.js";
export type { APIPromise, WithResponse } from "./api-promise.js";
export { CursorPage, NumberPage, Page, PagePromise } from "./pagination.js";
export { LightRequest, type LightRequestInit } from "./request.js";
export type { Middleware, MiddlewareParams } from "./middleware.js";
export type { RawClient, RawInit, RawMethod, RawResult } from "./raw.js";
export type { ActionFunction, CallActions } from "./resources/actions.js";
export type { Calls, CallStatusResponse } from "./resources/calls.js";
export type { CallControlApplicationResponse, CallControlApplications } from "./resources/call-control-applications.js";
export type { Connections } from "./resources/connections.js";
export type {
  ActionBodies,
  ActionName,
  ActionResponses,
  ActiveCall,
  CallControlApplication,
  DialRequest,
  DialResponse,
} from "@telnyx-voice/types";
