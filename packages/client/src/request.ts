// The request object openapi-fetch builds and middleware receives. Not an undici `Request`, whose
// construction dominated the client's per-call cost: a plain object with the parts the fetch layer sends.

type LightBody = string | ArrayBuffer | ArrayBufferView | Blob | FormData | URLSearchParams | null | undefined;

export interface LightRequestInit {
  method?: string | undefined;
  headers?: HeadersInit | undefined;
  body?: LightBody;
  signal?: AbortSignal | null | undefined;
}

/**
 * What middleware receives as `request`: `url`, `method`, `headers` (a `Headers`), `body` (the JSON text,
 * or binary data) and `signal` (the caller's, or null). It is not a `Request`: there are no body streams
 * (`text()`, `json()`); read `body` instead. `clone()` copies it. Middleware may change `url`, `headers`
 * and `body` in place, or return a replacement: a new `LightRequest`, or a standard `Request`.
 * `Authorization` is not among the headers: the client adds it as each attempt is sent, so middleware
 * (a logger, say) never sees the key.
 */
export class LightRequest {
  url: string;
  readonly method: string;
  readonly headers: Headers;
  body: LightBody;
  readonly signal: AbortSignal | null;

  constructor(url: string, init: LightRequestInit = {}) {
    this.url = url;
    this.method = (init.method ?? "GET").toUpperCase();
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = init.body;
    this.signal = init.signal ?? null;
  }

  /** A copy with its own headers; the body (a string or binary data) is shared, as it is never changed in place. */
  clone(): LightRequest {
    return new LightRequest(this.url, {
      method: this.method,
      headers: new Headers(this.headers),
      body: this.body,
      signal: this.signal,
    });
  }

  /** The `LightRequest` for a standard `Request` that middleware returned in place of one. */
  static async from(request: Request): Promise<LightRequest> {
    const body = request.body === null ? undefined : await request.arrayBuffer();
    return new LightRequest(request.url, { method: request.method, headers: new Headers(request.headers), body });
  }
}
