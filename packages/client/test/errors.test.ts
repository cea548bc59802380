import { afterEach, describe, expect, test } from "vitest";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TelnyxError,
  UnprocessableEntityError,
} from "../src/index.js";
import { apiErrors, clientFor, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

async function failure(
  status: number,
  reply = apiErrors(status, { code: "10001", title: "Something", detail: "went wrong" }),
) {
  server = await startServer(() => reply);
  const telnyx = clientFor(server, { maxRetries: 0 });
  return telnyx.calls.retrieveStatus("v3:abc").then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("status to error class", () => {
  test.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, InternalServerError],
  ])("%i -> %o", async (status, cls) => {
    const error = await failure(status);
    expect(error).toBeInstanceOf(cls);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(TelnyxError);
    expect((error as APIError).status).toBe(status);
    expect((error as APIError).name).toBe(cls.name);
  });

  test("an unmapped 4xx is a plain APIError", async () => {
    const error = await failure(418);
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(BadRequestError);
    expect((error as APIError).status).toBe(418);
  });
});

describe("error contents", () => {
  test("errors are the API's objects; the message names title, detail, code and pointer", async () => {
    const error = (await failure(
      422,
      apiErrors(422, {
        code: "10016",
        title: "Phone number must be in +E164 format",
        detail: "The 'to' parameter must be in E164 format.",
        source: { pointer: "/to" },
        meta: { url: "https://developers.telnyx.com/docs/overview/errors/10016" },
      }),
    )) as APIError;
    expect(error.errors).toEqual([
      {
        code: "10016",
        title: "Phone number must be in +E164 format",
        detail: "The 'to' parameter must be in E164 format.",
        source: { pointer: "/to" },
        meta: { url: "https://developers.telnyx.com/docs/overview/errors/10016" },
      },
    ]);
    expect(error.message).toBe(
      "422 Unprocessable Entity: Phone number must be in +E164 format: The 'to' parameter must be in E164 format. (code 10016) at /to",
    );
  });

  test("`description` is accepted in place of `detail`, numeric codes become strings", async () => {
    const error = (await failure(
      404,
      apiErrors(404, { code: 90018, title: "Call has already ended", description: "This call is no longer active" }),
    )) as APIError;
    expect(error.errors[0]?.detail).toBe("This call is no longer active");
    expect(error.errors[0]?.description).toBe("This call is no longer active");
    expect(error.errors[0]?.code).toBe("90018");
    expect(error.message).toContain("Call has already ended: This call is no longer active (code 90018)");
  });

  test("several errors are all in the message", async () => {
    const error = (await failure(
      400,
      apiErrors(400, { code: "1", title: "First" }, { code: "2", title: "Second", detail: "more" }),
    )) as APIError;
    expect(error.message).toBe("400 Bad Request: First (code 1); Second: more (code 2)");
  });

  test("a body that is not the API's shape is kept and summarised", async () => {
    const error = (await failure(502, {
      status: 502,
      body: "<html>Bad gateway</html>",
      headers: { "content-type": "text/html" },
    })) as APIError;
    expect(error.errors).toEqual([]);
    expect(error.body).toBe("<html>Bad gateway</html>");
    expect(error.message).toBe("502 Bad Gateway: <html>Bad gateway</html>");
  });

  test("headers and request id are exposed", async () => {
    const error = (await failure(404, {
      status: 404,
      body: { errors: [] },
      headers: { "x-request-id": "req-123" },
    })) as APIError;
    expect(error.headers.get("x-request-id")).toBe("req-123");
    expect(error.requestId).toBe("req-123");
    expect(error.message).toBe('404 Not Found: {"errors":[]}');
  });

  test("RateLimitError exposes the x-ratelimit headers", async () => {
    const error = (await failure(429, {
      status: 429,
      body: { errors: [{ code: "10011", title: "Too many requests" }] },
      headers: { "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "42" },
    })) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect([error.limit, error.remaining, error.reset]).toEqual([100, 0, 42]);
  });
});
