import type {
  CallControlApplication,
  CallControlApplicationCreate,
  CallControlApplicationListQuery,
  CallControlApplicationUpdate,
  ResponseBodyOf,
} from "@telnyx-voice/types";
import type { APIPromise } from "../api-promise.js";
import type { RequestOptions } from "../options.js";
import { type NumberPage, numberList, type PagePromise } from "../pagination.js";
import type { Transport } from "../transport.js";

type Collection = "/call_control_applications";
type Item = "/call_control_applications/{id}";
export type CallControlApplicationResponse = ResponseBodyOf<Item, "get">;

export class CallControlApplications {
  readonly #send: Transport;

  constructor(send: Transport) {
    this.#send = send;
  }

  /** Numbered pages (`page[number]`, `page[size]`); `for await` walks every application. */
  list(
    query: CallControlApplicationListQuery = {},
    options?: RequestOptions,
  ): PagePromise<NumberPage<CallControlApplication>, CallControlApplication> {
    return numberList(
      "GET /call_control_applications",
      (q, o) => this.#send("GET", "/call_control_applications", { query: q }, o),
      query,
      options,
    );
  }

  create(body: CallControlApplicationCreate, options?: RequestOptions): APIPromise<ResponseBodyOf<Collection, "post">> {
    return this.#send("POST", "/call_control_applications", { body }, options);
  }

  retrieve(id: string, options?: RequestOptions): APIPromise<CallControlApplicationResponse> {
    return this.#send("GET", "/call_control_applications/{id}", { path: { id } }, options);
  }

  update(
    id: string,
    body: CallControlApplicationUpdate,
    options?: RequestOptions,
  ): APIPromise<ResponseBodyOf<Item, "patch">> {
    return this.#send("PATCH", "/call_control_applications/{id}", { path: { id }, body }, options);
  }

  delete(id: string, options?: RequestOptions): APIPromise<ResponseBodyOf<Item, "delete">> {
    return this.#send("DELETE", "/call_control_applications/{id}", { path: { id } }, options);
  }
}
