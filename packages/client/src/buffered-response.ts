// A whole answer the Node sender read before resolving, standing in for a `Response` inside the client:
// what openapi-fetch and the fetch layer read of one (status, headers, json/text), without building one.
// undici's Response, with the stream it makes for its body, cost more per call than the rest of the client.
// It never leaves the client: a sender hands one back only when no middleware will see the answer (the
// plan's `internalAnswer`), and `telnyx.raw` results get `toResponse()`.

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
  /** Already read whole: nothing is left to stream, and nothing to close. */
  readonly body = null;
  bodyUsed = false;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array, meta: BufferedMeta) {
    this.#bytes = bytes;
    this.status = meta.status;
    this.statusText = meta.statusText;
    this.headers = meta.headers;
    this.ok = meta.status >= 200 && meta.status < 300;
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    return new TextDecoder().decode(this.#bytes);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return this.#bytes.slice().buffer;
  }

  /** The standard Response with the same status, headers and body, for answers handed to users. */
  toResponse(): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.headers };
    return new Response(this.#bytes as Uint8Array<ArrayBuffer>, init);
  }
}

/** `response` as users may hold it: a real Response. */
export function standardResponse(response: Response | BufferedResponse): Response {
  return response instanceof BufferedResponse ? response.toResponse() : response;
}
