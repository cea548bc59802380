// The Node sender's answer, standing in for a `Response` inside the client: what openapi-fetch and the fetch
// layer read of one (status, headers, json/text: `telnyx.raw` reads JSON only), with the body read whole in the background rather than
// streamed. It comes with the headers, as fetch's Response does; the sender then `complete`s or `fail`s its
// body, and reading it waits for that (failing as reading fetch's would: deadline, abort, lost connection,
// or BodyOverLimit past `maxResponseBytes`). undici's Response, with the stream it makes for its body, cost
// more per call than the rest of the client. It never leaves the client: users and middleware get
// `toResponse()`, a standard Response over the same body.

/** Statuses whose responses have no body (fetch's "null body status", 1xx aside). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);

export interface BufferedMeta {
  status: number;
  statusText: string;
  headers: Headers;
}

export class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly ok: boolean;
  readonly type = "basic";
  /** Not a stream: the body is read whole by the sender (the fetch layer checks `body === null` for that). */
  readonly body = null;
  bodyUsed = false;
  #bytes: Uint8Array | undefined;
  #error: unknown;
  #failed = false;
  #waiting:
    | { promise: Promise<Uint8Array>; resolve(bytes: Uint8Array): void; reject(error: unknown): void }
    | undefined;
  /** Called when a standard Response made from this one has its body cancelled: stop reading. */
  readonly #abandon: () => void;

  constructor(meta: BufferedMeta, abandon: () => void) {
    this.status = meta.status;
    this.statusText = meta.statusText;
    this.headers = meta.headers;
    this.ok = meta.status >= 200 && meta.status < 300;
    this.#abandon = abandon;
  }

  /** The sender read the whole body. */
  complete(bytes: Uint8Array): void {
    if (this.#bytes !== undefined || this.#failed) return;
    this.#bytes = bytes;
    this.#waiting?.resolve(bytes);
  }

  /** The sender could not read the whole body. */
  fail(error: unknown): void {
    if (this.#bytes !== undefined || this.#failed) return;
    this.#failed = true;
    this.#error = error;
    this.#waiting?.reject(error);
  }

  /** The body once read: at once when it already is, as most are by the time they are asked for. */
  bytes(): Promise<Uint8Array> {
    if (this.#bytes !== undefined) return Promise.resolve(this.#bytes);
    if (this.#failed) return Promise.reject(this.#error);
    if (!this.#waiting) {
      let resolve!: (bytes: Uint8Array) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<Uint8Array>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#waiting = { promise, resolve, reject };
    }
    return this.#waiting.promise;
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return new TextDecoder().decode(this.#bytes ?? (await this.bytes()));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /** The standard Response with the same status, headers and body (throws for a status outside 200-599). */
  toResponse(): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.headers };
    if (NULL_BODY_STATUSES.has(this.status)) return new Response(null, init);
    if (this.#bytes !== undefined) return new Response(this.#bytes as Uint8Array<ArrayBuffer>, init);
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const bytes = await this.bytes();
          if (bytes.length > 0) controller.enqueue(bytes);
          controller.close();
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: () => this.#abandon(),
    });
    return new Response(body, init);
  }
}

/** `response` as users may hold it: a real Response. */
export function standardResponse(response: Response | BufferedResponse): Response {
  return response instanceof BufferedResponse ? response.toResponse() : response;
}
