// The Node sender's answer, standing in for a `Response` inside the client: what openapi-fetch and the fetch
// layer read of one (status, headers, json/text), with the body read whole in the background rather than
// streamed. It comes with the headers, as fetch's Response does; reading it waits for the body, or fails as
// reading fetch's would (deadline, abort, lost connection), or with BodyOverLimit past `maxResponseBytes`.
// undici's Response, with the stream it makes for its body, cost more per call than the rest of the client.
// It never leaves the client: a sender makes one only when no middleware will see the answer (the plan's
// `internalAnswer`), and `telnyx.raw` results get `toResponse()`.

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
  readonly redirected = false;
  readonly url = "";
  /** Not a stream: the body is read whole by the sender (the fetch layer checks `body === null` for that). */
  readonly body = null;
  bodyUsed = false;
  readonly #bytes: Promise<Uint8Array>;
  #read: Uint8Array | undefined;

  /** `bytes` must already have a rejection handler (the sender's), as an unread body may fail unobserved. */
  constructor(bytes: Promise<Uint8Array>, meta: BufferedMeta) {
    this.#bytes = bytes.then((read) => {
      this.#read = read;
      return read;
    });
    this.#bytes.catch(() => undefined);
    this.status = meta.status;
    this.statusText = meta.statusText;
    this.headers = meta.headers;
    this.ok = meta.status >= 200 && meta.status < 300;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return (await this.#bytes).slice().buffer as ArrayBuffer;
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return new TextDecoder().decode(await this.#bytes);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /** The standard Response with the same status, headers and body, for answers handed to users. */
  toResponse(): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.headers };
    const read = this.#read;
    if (read) return new Response(read as Uint8Array<ArrayBuffer>, init);
    const bytes = this.#bytes;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        controller.enqueue(await bytes);
        controller.close();
      },
    });
    return new Response(body, init);
  }
}

/** `response` as users may hold it: a real Response. */
export function standardResponse(response: Response | BufferedResponse): Response {
  return response instanceof BufferedResponse ? response.toResponse() : response;
}
