import { afterEach, describe, expect, test } from "vitest";
import { actionRoutes } from "../src/generated/actions.js";
import { phoneFields } from "../src/generated/body-facts.js";
import { DEFAULT_BASE_URL, NotFoundError, Telnyx, TelnyxError } from "../src/index.js";
import { bodyPlan } from "../src/validation.js";
import { API_KEY, clientFor, ok, type TestServer, startServer } from "./server.js";

let server: TestServer;
afterEach(() => server?.close());

/** A body with every required field of the operation filled in (a phone number where the spec wants one). */
function requiredBody(operation: string): Record<string, unknown> {
  const space = operation.indexOf(" ");
  const required = bodyPlan(operation.slice(0, space), operation.slice(space + 1))?.required ?? [];
  const phones = phoneFields[operation] ?? {};
  return Object.fromEntries(required.map((f) => [f, f in phones ? "+13125550001" : "x"]));
}

describe("construction", () => {
  test("no key anywhere: a clear error naming TELNYX_API_KEY", () => {
    const saved = process.env.TELNYX_API_KEY;
    delete process.env.TELNYX_API_KEY;
    try {
      expect(() => new Telnyx()).toThrow(TelnyxError);
      expect(() => new Telnyx({ apiKey: "  " })).toThrow(/TELNYX_API_KEY/);
      expect(() => new Telnyx()).toThrow(
        "No Telnyx API key: pass it as new Telnyx({ apiKey }) or set the TELNYX_API_KEY environment variable.",
      );
    } finally {
      if (saved !== undefined) process.env.TELNYX_API_KEY = saved;
    }
  });

  test("the key comes from TELNYX_API_KEY when not given", async () => {
    server = await startServer(() => ok());
    const saved = process.env.TELNYX_API_KEY;
    process.env.TELNYX_API_KEY = "KEY_FROM_ENV";
    try {
      await new Telnyx({ baseURL: server.url }).calls.retrieveStatus("v3:a");
    } finally {
      if (saved === undefined) delete process.env.TELNYX_API_KEY;
      else process.env.TELNYX_API_KEY = saved;
    }
    expect(server.requests[0]?.headers.authorization).toBe("Bearer KEY_FROM_ENV");
  });

  test("the base URL comes from TELNYX_BASE_URL when not given; an explicit baseURL wins", async () => {
    server = await startServer(() => ok());
    const saved = process.env.TELNYX_BASE_URL;
    process.env.TELNYX_BASE_URL = `${server.url}/`;
    try {
      const telnyx = new Telnyx({ apiKey: API_KEY });
      expect(telnyx.baseURL).toBe(server.url);
      await telnyx.calls.retrieveStatus("v3:a");
      expect(new Telnyx({ apiKey: API_KEY, baseURL: "http://127.0.0.1:1/v2" }).baseURL).toBe("http://127.0.0.1:1/v2");
      process.env.TELNYX_BASE_URL = "";
      expect(new Telnyx({ apiKey: API_KEY }).baseURL).toBe(DEFAULT_BASE_URL);
    } finally {
      if (saved === undefined) delete process.env.TELNYX_BASE_URL;
      else process.env.TELNYX_BASE_URL = saved;
    }
    expect(server.requests).toHaveLength(1);
  });

  test("defaults and bad options", () => {
    expect(new Telnyx({ apiKey: "k" }).baseURL).toBe("https://api.telnyx.com/v2");
    expect(DEFAULT_BASE_URL).toBe("https://api.telnyx.com/v2");
    expect(() => new Telnyx({ apiKey: "k", maxRetries: -1 })).toThrow(
      'new Telnyx() option "maxRetries" is -1 (a number), expected a whole number >= 0',
    );
    expect(() => new Telnyx({ apiKey: "k", timeout: 0 })).toThrow(/option "timeout" is 0 \(a number\), expected/);
    expect(() => new Telnyx({ apiKey: "k", baseURL: "api.telnyx.com" })).toThrow(
      'baseURL "api.telnyx.com" is not an absolute URL',
    );
  });
});

describe("requests", () => {
  test("dial: POST /calls with the body as given plus command_id; resolves to the body as sent", async () => {
    const data = {
      call_control_id: "v3:abc",
      call_leg_id: "leg",
      call_session_id: "sess",
      is_alive: false,
      record_type: "call",
    };
    server = await startServer(() => ok(data));
    const res = await clientFor(server).calls.dial({
      connection_id: "c1",
      from: "+13125550001",
      to: "+13125550002",
      timeout_secs: 30,
    });
    expect(res).toEqual({ data });
    expect(res.data.call_control_id).toBe("v3:abc");
    const [req] = server.requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/v2/calls");
    expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.json).toMatchObject({
      connection_id: "c1",
      from: "+13125550001",
      to: "+13125550002",
      timeout_secs: 30,
    });
  });

  test("answer(id) with no body sends only a command_id", async () => {
    server = await startServer(() => ok({ result: "ok" }));
    const res = await clientFor(server).calls.actions.answer("v3:call/1");
    expect(res.data).toEqual({ result: "ok" });
    expect(server.requests[0]?.path).toBe("/v2/calls/v3:call%2F1/actions/answer");
    expect(Object.keys(server.requests[0]?.json ?? {})).toEqual(["command_id"]);
  });

  test("every action of the route table is a function that hits its own path and method", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    const names = Object.keys(actionRoutes) as (keyof typeof actionRoutes)[];
    expect(names.length).toBeGreaterThanOrEqual(40);
    for (const name of names) {
      const action = telnyx.calls.actions[name] as (id: string, body?: unknown) => Promise<unknown>;
      await action("v3:x", requiredBody(`${actionRoutes[name][0]} ${actionRoutes[name][1]}`));
    }
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      names.map((n) => `${actionRoutes[n][0]} /v2${actionRoutes[n][1].replace("{call_control_id}", "v3:x")}`),
    );
    const put = server.requests.find((r) => r.path.endsWith("/client_state_update"));
    expect(put?.method).toBe("PUT");
    // The spec gives client_state_update no command_id, so none is invented for it.
    expect(put?.json).not.toHaveProperty("command_id");
  });

  test("retrieveStatus, applications CRUD and active calls hit the documented paths", async () => {
    server = await startServer(() => ok({ id: "1" }));
    const t = clientFor(server);
    await t.calls.retrieveStatus("v3:a");
    await t.callControlApplications.create({ application_name: "app", webhook_event_url: "https://example.com/hook" });
    await t.callControlApplications.retrieve("app-1");
    await t.callControlApplications.update("app-1", {
      application_name: "app2",
      webhook_event_url: "https://example.com/hook",
    });
    await t.callControlApplications.delete("app-1");
    await t.connections.listActiveCalls("conn-9");
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /v2/calls/v3:a",
      "POST /v2/call_control_applications",
      "GET /v2/call_control_applications/app-1",
      "PATCH /v2/call_control_applications/app-1",
      "DELETE /v2/call_control_applications/app-1",
      "GET /v2/connections/conn-9/active_calls",
    ]);
    expect(server.requests[1]?.json).toEqual({
      application_name: "app",
      webhook_event_url: "https://example.com/hook",
    });
  });

  test("defaultHeaders and per-request headers are sent", async () => {
    server = await startServer(() => ok());
    await clientFor(server, { defaultHeaders: { "x-app": "demo" } }).calls.retrieveStatus("v3:a", {
      headers: { "x-trace": "t1" },
    });
    expect(server.requests[0]?.headers["x-app"]).toBe("demo");
    expect(server.requests[0]?.headers["x-trace"]).toBe("t1");
  });

  test("a custom fetch is used", async () => {
    server = await startServer(() => ok());
    const seen: string[] = [];
    const telnyx = clientFor(server, {
      fetch: (url, init) => {
        seen.push(`${init.method} ${url}`);
        return fetch(url, init);
      },
    });
    await telnyx.calls.retrieveStatus("v3:a");
    expect(seen).toEqual([`GET ${server.url}/calls/v3:a`]);
  });
});

describe("telnyx.raw", () => {
  test("typed openapi-fetch over the slice with the same auth, command_id and errors", async () => {
    server = await startServer([
      ok({ call_control_id: "v3:r" }),
      { status: 503 },
      ok({ result: "ok" }),
      { status: 404, body: { errors: [{ code: "90015", title: "Call not found" }] } },
    ]);
    const telnyx = clientFor(server);
    const { data } = await telnyx.raw.GET("/calls/{call_control_id}", {
      params: { path: { call_control_id: "v3:r" } },
    });
    expect(data?.data?.call_control_id).toBe("v3:r");
    await telnyx.raw.POST("/calls/{call_control_id}/actions/hangup", {
      params: { path: { call_control_id: "v3:r" } },
      body: {},
    });
    expect(server.requests[1]?.json?.command_id).toBeTypeOf("string");
    expect(server.requests[2]?.json?.command_id).toBe(server.requests[1]?.json?.command_id);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    await expect(
      telnyx.raw.GET("/calls/{call_control_id}", { params: { path: { call_control_id: "gone" } } }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  test("user middleware runs on the same chain", async () => {
    server = await startServer(() => ok());
    const telnyx = clientFor(server);
    const seen: string[] = [];
    telnyx.raw.use({
      onRequest({ request }) {
        request.headers.set("x-from-middleware", "1");
        seen.push(request.method);
      },
    });
    await telnyx.calls.retrieveStatus("v3:a");
    expect(seen).toEqual(["GET"]);
    expect(server.requests[0]?.headers["x-from-middleware"]).toBe("1");
  });
});

describe("bodies read after the headers", () => {
  test("a success body that is not JSON is a TelnyxError naming the cause", async () => {
    server = await startServer([
      { status: 200, headers: { "content-type": "text/html" }, body: "<html>captive portal</html>" },
    ]);
    await expect(clientFor(server).calls.retrieveStatus("v3:a")).rejects.toThrow(
      /success status but a body that is not JSON/,
    );
  });

  test("the caller's signal aborting while the body trickles in is an APIUserAbortError", async () => {
    const { createServer } = await import("node:http");
    const stall = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":');
    });
    await new Promise<void>((resolve) => stall.listen(0, "127.0.0.1", resolve));
    const { port } = stall.address() as { port: number };
    try {
      const client = new Telnyx({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${port}/v2` });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      await expect(client.calls.retrieveStatus("v3:a", { signal: controller.signal })).rejects.toMatchObject({
        name: "APIUserAbortError",
      });
    } finally {
      stall.closeAllConnections();
      stall.close();
    }
  });
});
