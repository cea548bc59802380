// Ids are path segments: "." and ".." are refused like empty ids (they would address another resource once
// the URL is resolved), and an id is encoded as one RFC 3986 segment: ":" and "@" as they are, the rest encoded.
import { afterEach, describe, expect, test } from "vitest";
import { ValidationError } from "../src/index.js";
import { encodeSegment } from "../src/path.js";
import { clientFor, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

describe("dot segments are refused before sending", () => {
  test.each([".", ".."])("%s as an application id, a call control id, a connection id, and through raw", async (id) => {
    server = await startServer(() => ok());
    const t = clientFor(server);
    const refusals = await Promise.all([
      t.callControlApplications.delete(id).catch((e: unknown) => e),
      t.callControlApplications.retrieve(id).catch((e: unknown) => e),
      t.calls.actions.hangup(id).catch((e: unknown) => e),
      t.calls.retrieveStatus(id).catch((e: unknown) => e),
      t.connections.listActiveCalls(id).then(
        () => undefined,
        (e: unknown) => e,
      ),
      t.raw.DELETE("/call_control_applications/{id}", { params: { path: { id } } }).catch((e: unknown) => e),
    ]);
    for (const error of refusals) expect(error).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
    expect((refusals[0] as ValidationError).message).toBe(
      `DELETE /call_control_applications/{id} parameter "id" is "${id}", expected an id: "${id}" is a path segment that would address another resource, not an id`,
    );
    expect((refusals[2] as ValidationError).message).toContain(`hangup parameter "call_control_id" is "${id}"`);
  });

  test("an id that only contains dots among other characters is an ordinary id", async () => {
    server = await startServer(() => ok());
    await clientFor(server).callControlApplications.delete("...");
    await clientFor(server).callControlApplications.delete(".a");
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v2/call_control_applications/...",
      "/v2/call_control_applications/.a",
    ]);
  });

  test("a missing path parameter through raw is refused, not sent as a literal {id}", async () => {
    server = await startServer(() => ok());
    const error = await clientFor(server)
      .raw.GET("/call_control_applications/{id}", { params: { path: {} } } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      'GET /call_control_applications/{id} parameter "id" is undefined, expected a non-empty id string',
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe("ids are encoded as path segments", () => {
  test("Telnyx's v3: ids are sent raw, as its docs and SDK send them", async () => {
    server = await startServer(() => ok());
    await clientFor(server).calls.actions.hangup("v3:u5OAKGEPT3Dx8SZSSDRWEMdNH2OripQhO");
    expect(server.requests[0]?.url).toBe("/v2/calls/v3:u5OAKGEPT3Dx8SZSSDRWEMdNH2OripQhO/actions/hangup");
  });

  test("/ ? # % and spaces are encoded, so an id cannot leave its segment; : and @ stay", async () => {
    server = await startServer(() => ok());
    const t = clientFor(server);
    await t.calls.retrieveStatus("a/b?c#d%e f");
    await t.calls.retrieveStatus("user@host:5060");
    await t.calls.retrieveStatus("../x");
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v2/calls/a%2Fb%3Fc%23d%25e%20f",
      "/v2/calls/user@host:5060",
      "/v2/calls/..%2Fx",
    ]);
  });

  test("encodeSegment keeps pchar's : and @, encodes the delimiters and percent", () => {
    expect(encodeSegment("v3:abc-_.~")).toBe("v3:abc-_.~");
    expect(encodeSegment("a@b")).toBe("a@b");
    expect(encodeSegment("/?#[]%")).toBe("%2F%3F%23%5B%5D%25");
    expect(encodeSegment("\\")).toBe("%5C");
    expect(encodeSegment("é")).toBe("%C3%A9");
  });
});
