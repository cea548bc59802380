// One resolver checks the constructor's options and every request's alike; baseURL (and TELNYX_BASE_URL)
// are checked at construction without echoing a password.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DEFAULT_BASE_URL, Telnyx, ValidationError } from "../src/index.js";
import { API_KEY, clientFor, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

/** The message of what `run` throws (synchronously or as a rejection). */
async function messageOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

const BAD: Array<[string, unknown, string]> = [
  ["commandTimeout", -1, "a number of milliseconds from 1 to 2147483647"],
  ["commandTimeout", Number.NaN, "a number of milliseconds from 1 to 2147483647"],
  ["timeout", Number.POSITIVE_INFINITY, "a number of milliseconds from 1 to 2147483647"],
  ["timeout", 2 ** 31, "a number of milliseconds from 1 to 2147483647"],
  ["timeout", "5000", "a number of milliseconds from 1 to 2147483647"],
  ["maxRetries", 1.5, "a whole number >= 0"],
  ["maxResponseBytes", 0, "a whole number >= 1"],
];

describe("one resolver for the constructor and for each request", () => {
  test.each(BAD)("%s = %s is refused by both, with the same words", async (name, value, expected) => {
    server = await startServer(() => ok());
    const atConstruction = await messageOf(() => new Telnyx({ apiKey: API_KEY, [name]: value }));
    const perRequest = await messageOf(() => clientFor(server).calls.actions.hangup("v3:a", {}, { [name]: value }));
    const shown = typeof value === "string" ? JSON.stringify(value) : `${String(value)} (a number)`;
    expect(atConstruction).toBe(`new Telnyx() option "${name}" is ${shown}, expected ${expected}`);
    expect(perRequest).toBe(`hangup option "${name}" is ${shown}, expected ${expected}`);
    expect(server.requests).toHaveLength(0);
  });

  test("commandTimeout: -1 used to be accepted and then fail every command without sending: now refused up front", () => {
    expect(() => new Telnyx({ apiKey: API_KEY, commandTimeout: -1 })).toThrow(ValidationError);
  });

  test.each([
    [{ initialDelay: -1 }, "backoff.initialDelay", "-1 (a number)"],
    [{ maxDelay: Number.NaN }, "backoff.maxDelay", "NaN (a number)"],
    [{ maxDelay: Number.POSITIVE_INFINITY }, "backoff.maxDelay", "Infinity (a number)"],
  ])("backoff %o is checked", (backoff, name, shown) => {
    expect(() => new Telnyx({ apiKey: API_KEY, backoff })).toThrow(
      `new Telnyx() option "${name}" is ${shown}, expected a number of milliseconds from 0 to 2147483647`,
    );
  });

  test("options that fall back accept an explicit undefined", async () => {
    server = await startServer(() => ok());
    const client = new Telnyx({
      apiKey: API_KEY,
      baseURL: server.url,
      timeout: undefined,
      maxRetries: undefined,
      commandTimeout: undefined,
      maxResponseBytes: undefined,
      backoff: { initialDelay: undefined, maxDelay: undefined },
      fetch: undefined,
      logger: undefined,
      defaultHeaders: undefined,
    });
    await client.calls.retrieveStatus("v3:a", { signal: undefined, timeout: undefined, headers: undefined });
    expect(server.requests).toHaveLength(1);
  });

  test("a misspelt option is refused with the name that was meant", async () => {
    server = await startServer(() => ok());
    expect(() => new Telnyx({ apiKey: API_KEY, base_url: server.url } as never)).toThrow(
      'new Telnyx() has no option "base_url": did you mean "baseURL"?',
    );
    expect(() => new Telnyx({ apikey: API_KEY } as never)).toThrow('did you mean "apiKey"?');
    await expect(clientFor(server).calls.retrieveStatus("v3:a", { timeOut: 5 } as never)).rejects.toThrow(
      'GET /calls/{call_control_id} request has no option "timeOut": did you mean "timeout"?',
    );
    expect(server.requests).toHaveLength(0);
  });

  test("headers with a line break are refused without echoing the value", async () => {
    server = await startServer(() => ok());
    const secret = "s3cr3t\r\nx-injected: 1";
    const message = await messageOf(() => new Telnyx({ apiKey: API_KEY, defaultHeaders: { "x-token": secret } }));
    expect(message).toBe(
      'new Telnyx() header "x-token" has a line break, a NUL or a non-Latin-1 character in its value',
    );
    const perRequest = await messageOf(() =>
      clientFor(server).calls.retrieveStatus("v3:a", { headers: { "x-token": secret } }),
    );
    expect(perRequest).not.toContain("s3cr3t");
    expect(server.requests).toHaveLength(0);
  });
});

describe("baseURL", () => {
  test.each([
    ["http://127.0.0.1:1/v2?tenant=a", "has a query string"],
    ["http://127.0.0.1:1/v2?", "has a query string"],
    ["http://127.0.0.1:1/v2#frag", "has a fragment"],
    ["ftp://127.0.0.1/v2", 'has the scheme "ftp:"'],
  ])("%s is refused at construction", (baseURL, problem) => {
    expect(() => new Telnyx({ apiKey: API_KEY, baseURL })).toThrow(problem);
  });

  test("credentials are refused, and the password is never echoed", () => {
    const error = (() => {
      try {
        new Telnyx({ apiKey: API_KEY, baseURL: "http://user:hunter2@127.0.0.1:1/v2" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.message).toBe(
      "baseURL http://127.0.0.1:1/v2 has a user name or password in it (user:password@): remove them; the client authenticates with the API key, and credentials in the URL would be sent to the server and shown in errors.",
    );
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain("hunter2");
    expect(() => new Telnyx({ apiKey: API_KEY, baseURL: "user:hunter2@127.0.0.1/v2" })).toThrow(
      "(not shown: it contains '@')",
    );
  });

  test("trailing slashes are dropped; paths are appended to the base path", async () => {
    server = await startServer(() => ok());
    const client = new Telnyx({ apiKey: API_KEY, baseURL: `${server.url}//` });
    expect(client.baseURL).toBe(server.url);
    await client.calls.retrieveStatus("v3:a");
    expect(server.requests[0]?.url).toBe("/v2/calls/v3:a");
  });
});

describe("TELNYX_BASE_URL", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.TELNYX_BASE_URL;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TELNYX_BASE_URL;
    else process.env.TELNYX_BASE_URL = saved;
  });

  test("is used when baseURL is not given, so code runs against the simulator unchanged", async () => {
    server = await startServer(() => ok({ id: "from-env" }));
    process.env.TELNYX_BASE_URL = server.url;
    const client = new Telnyx({ apiKey: API_KEY });
    expect(client.baseURL).toBe(server.url);
    await expect(client.calls.retrieveStatus("v3:a")).resolves.toEqual({ data: { id: "from-env" } });
  });

  test("an explicit baseURL wins", () => {
    process.env.TELNYX_BASE_URL = "http://127.0.0.1:1/v2";
    expect(new Telnyx({ apiKey: API_KEY, baseURL: "http://127.0.0.1:2/v2" }).baseURL).toBe("http://127.0.0.1:2/v2");
  });

  test("an empty one counts as unset", () => {
    process.env.TELNYX_BASE_URL = "";
    expect(new Telnyx({ apiKey: API_KEY }).baseURL).toBe(DEFAULT_BASE_URL);
  });

  test("gets the same checks as baseURL, names itself, and never echoes a password", () => {
    process.env.TELNYX_BASE_URL = "http://127.0.0.1:1/v2?tenant=a";
    expect(() => new Telnyx({ apiKey: API_KEY })).toThrow("TELNYX_BASE_URL http://127.0.0.1:1/v2 has a query string");
    process.env.TELNYX_BASE_URL = "https://user:hunter2@api.example/v2";
    let message = "";
    try {
      new Telnyx({ apiKey: API_KEY });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^TELNYX_BASE_URL https:\/\/api\.example\/v2 has a user name or password in it/);
    expect(message).not.toContain("hunter2");
  });
});
