// The Telnyx API does not redirect, so the client never follows a redirect: following one would resend the
// command (its payload, client_state and command_id) wherever the Location points.
import { afterEach, describe, expect, test } from "vitest";
import { APIError } from "../src/index.js";
import { clientFor, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
let elsewhere: TestServer;
afterEach(async () => {
  await server?.close();
  await elsewhere?.close();
});

const SPEAK = { payload: "secret payload", voice: "female", client_state: "c3RhdGU=" };

describe("redirects are never followed", () => {
  test("a 307 to another origin: nothing is sent there, and the 307 is an APIError naming the Location", async () => {
    elsewhere = await startServer(() => ok({ result: "ok" }));
    server = await startServer(() => ({
      status: 307,
      headers: { location: `${elsewhere.url}/calls/v3:a/actions/speak` },
    }));
    const error = await clientFor(server)
      .calls.actions.speak("v3:a", SPEAK)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(307);
    expect((error as APIError).message).toBe(
      `307 Temporary Redirect: POST ${server.url}/calls/v3:a/actions/speak was answered with a redirect (Location ${elsewhere.url}/calls/v3:a/actions/speak); the client never follows redirects (the Telnyx API does not redirect), so nothing was sent there. Check \`baseURL\`.`,
    );
    expect(elsewhere.requests).toHaveLength(0);
    // Not retried either: a redirect is an answer, not a failure.
    expect(server.requests).toHaveLength(1);
  });

  test("a same-origin 307 does not re-target a command at another call", async () => {
    server = await startServer((req) =>
      req.path.includes("v3:a") ? { status: 307, headers: { location: "/v2/calls/v3:other/actions/hangup" } } : ok(),
    );
    const error = await clientFor(server)
      .calls.actions.hangup("v3:a")
      .catch((e: unknown) => e);
    expect((error as APIError).status).toBe(307);
    expect((error as APIError).headers.get("location")).toBe("/v2/calls/v3:other/actions/hangup");
    expect(server.requests.map((r) => r.path)).toEqual(["/v2/calls/v3:a/actions/hangup"]);
  });

  test.each([301, 302, 303, 308])("%i on a GET is not followed either", async (status) => {
    elsewhere = await startServer(() => ok({ id: "elsewhere" }));
    server = await startServer(() => ({ status, headers: { location: `${elsewhere.url}/calls/v3:a` } }));
    await expect(clientFor(server).calls.retrieveStatus("v3:a")).rejects.toMatchObject({ name: "APIError", status });
    expect(elsewhere.requests).toHaveLength(0);
  });

  test("a Location carrying credentials is shown without them", async () => {
    server = await startServer(() => ({ status: 302, headers: { location: "https://user:hunter2@evil.example/x" } }));
    const error = (await clientFor(server)
      .calls.retrieveStatus("v3:a")
      .catch((e: unknown) => e)) as APIError;
    expect(error.message).toContain("Location https://evil.example/x");
    expect(error.message).not.toContain("hunter2");
  });
});
