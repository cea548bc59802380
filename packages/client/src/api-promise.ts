// What every method returns: the promise of the answer's body, with `.withResponse()` for its metadata (the
// `Response` with its status and headers, and Telnyx's request id), the convention users know from other SDKs.

/** The body of an answer with what came with it. */
export interface WithResponse<T> {
  data: T;
  /** The HTTP response (its body already read into `data`). */
  response: Response;
  /** `x-request-id`, which Telnyx support asks for, when the answer had one. */
  requestId: string | undefined;
}

/** A promise of the answer's body; `.withResponse()` resolves with the body and its metadata. */
export interface APIPromise<T> extends Promise<T> {
  withResponse(): Promise<WithResponse<T>>;
}

/** An APIPromise over the promise of `{ data, response }`: one request, whichever of the two is awaited. */
export function apiPromise<T>(answer: Promise<{ data: T; response: Response }>): APIPromise<T> {
  const data = answer.then((a) => a.data) as APIPromise<T>;
  data.withResponse = () => {
    // The caller takes the answer from here: the body's own promise is not awaited, so its failure is not an
    // unhandled rejection of its own.
    data.catch(() => undefined);
    return answer.then(({ data, response }) => ({
      data,
      response,
      requestId: response.headers.get("x-request-id") ?? undefined,
    }));
  };
  return data;
}

/** An APIPromise whose request starts once `before` resolves (a dial waiting for its slot). */
export function apiPromiseAfter<T>(before: Promise<unknown>, request: () => APIPromise<T>): APIPromise<T> {
  return apiPromise(before.then(() => request().withResponse()).then(({ data, response }) => ({ data, response })));
}
