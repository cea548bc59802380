import type { ActionName, ResponseBodyOf } from "@telnyx-voice/types";
import { describe, expectTypeOf, test } from "vitest";
import { actionRoutes } from "../src/generated/actions.js";
import { type CallActions, type DialResponse, type LightRequest, type Middleware, Telnyx } from "../src/index.js";
import type { Transport } from "../src/transport.js";

const telnyx = new Telnyx({ apiKey: "k" });

describe("types from the spec", () => {
  test("answer(id) compiles with no body; the response body is typed", () => {
    expectTypeOf(telnyx.calls.actions.answer).toBeCallableWith("v3:a");
    expectTypeOf(telnyx.calls.actions.hangup).toBeCallableWith("v3:a", {}, { timeout: 1000 });
  });

  test("dial needs connection_id, from and to", () => {
    // @ts-expect-error missing to
    telnyx.calls.dial({ connection_id: "c", from: "+13125550001" });
    // @ts-expect-error missing connection_id
    telnyx.calls.dial({ from: "+13125550001", to: "+13125550002" });
    expectTypeOf(telnyx.calls.dial).toBeCallableWith({ connection_id: "c", from: "+1", to: "+2" });
  });

  test("res.data.call_control_id is a string", async () => {
    const res = await telnyx.calls.dial({ connection_id: "c", from: "+1", to: "+2" });
    expectTypeOf(res).toEqualTypeOf<DialResponse>();
    expectTypeOf(res.data.call_control_id).toEqualTypeOf<string>();
  });

  test("every action of the spec is there, including the PUT clientStateUpdate", () => {
    expectTypeOf<keyof CallActions>().toEqualTypeOf<ActionName>();
    expectTypeOf(telnyx.calls.actions.clientStateUpdate).toBeCallableWith("v3:a", { client_state: "aGk=" });
    expectTypeOf(telnyx.calls.actions.sendSipInfo).toBeFunction();
    expectTypeOf(telnyx.calls.actions.gatherUsingAi).toBeFunction();
  });

  test("a wrong body field is an error; required action fields are required", () => {
    // @ts-expect-error no such field on speak
    telnyx.calls.actions.speak("v3:a", { payload: "hi", voice: "female", not_a_field: 1 });
    // @ts-expect-error speak needs payload and voice
    telnyx.calls.actions.speak("v3:a");
    // @ts-expect-error transfer needs `to`
    telnyx.calls.actions.transfer("v3:a", {});
    // @ts-expect-error not an action
    telnyx.calls.actions.notAnAction;
  });

  test("pages and items are typed", async () => {
    const page = await telnyx.connections.listActiveCalls("conn");
    expectTypeOf(page.data[0]?.call_control_id).toEqualTypeOf<string | undefined>();
    for await (const app of telnyx.callControlApplications.list({ page: { size: 2 } })) {
      expectTypeOf(app.application_name).toEqualTypeOf<string | undefined>();
    }
    // @ts-expect-error page size is a number
    telnyx.callControlApplications.list({ page: { size: "2" } });
  });

  test("raw is typed over the slice", async () => {
    const { data } = await telnyx.raw.GET("/calls/{call_control_id}", { params: { path: { call_control_id: "x" } } });
    expectTypeOf(data?.data?.call_control_id).toEqualTypeOf<string | undefined>();
    // @ts-expect-error not a path of the slice
    telnyx.raw.GET("/not_a_path");
  });

  test("raw resolves to { data, response } only: failures are thrown, never returned as `error`", async () => {
    const result = await telnyx.raw.POST("/calls", { body: { connection_id: "c", from: "+1", to: "+2" } });
    expectTypeOf(result).toHaveProperty("response").toEqualTypeOf<Response>();
    expectTypeOf(result).not.toHaveProperty("error");
    // @ts-expect-error dial's body needs to
    telnyx.raw.POST("/calls", { body: { connection_id: "c", from: "+1" } });
    // @ts-expect-error redirects are never followed: no such option
    telnyx.raw.GET("/calls/{call_control_id}", { params: { path: { call_control_id: "x" } }, redirect: "follow" });
    // @ts-expect-error /calls has no DELETE
    telnyx.raw.DELETE("/calls");
  });
});

describe("the transport is typed by path", () => {
  const send = null as unknown as Transport;

  test("the response comes from paths for the method and path sent", () => {
    const status = send("GET", "/calls/{call_control_id}", { path: { call_control_id: "x" } });
    expectTypeOf(status).resolves.toEqualTypeOf<ResponseBodyOf<"/calls/{call_control_id}", "get">>();
    const dial = send("POST", "/calls", { body: { connection_id: "c", from: "+1", to: "+2" } });
    expectTypeOf(dial).resolves.toEqualTypeOf<DialResponse>();
  });

  test("a wrong path, method, parameter or body does not compile", () => {
    // @ts-expect-error not a path of the slice
    send("GET", "/calls/{id}", {});
    // @ts-expect-error /calls has no DELETE
    send("DELETE", "/calls", {});
    // @ts-expect-error the parameter is call_control_id
    send("GET", "/calls/{call_control_id}", { path: { id: "x" } });
    // @ts-expect-error dial's body needs connection_id, from and to
    send("POST", "/calls", { body: { to: "+2" } });
  });

  test("a response alias that is not the path's response does not compile", () => {
    // @ts-expect-error an application is not a call's status
    const wrong: Promise<ResponseBodyOf<"/call_control_applications/{id}", "get">> = send(
      "GET",
      "/calls/{call_control_id}",
      { path: { call_control_id: "x" } },
    );
    expectTypeOf(wrong).toBeObject();
  });

  test("the action table is each action's own method and path", () => {
    expectTypeOf(actionRoutes.clientStateUpdate).toEqualTypeOf<
      readonly ["PUT", "/calls/{call_control_id}/actions/client_state_update"]
    >();
    expectTypeOf(actionRoutes.speak[1]).toEqualTypeOf<"/calls/{call_control_id}/actions/speak">();
  });
});

describe("middleware is typed as it runs", () => {
  test("request is the client's LightRequest: clone() is there, body streams are not", () => {
    const m: Middleware = {
      onRequest({ request }) {
        expectTypeOf(request).toEqualTypeOf<LightRequest>();
        expectTypeOf(request.clone()).toEqualTypeOf<LightRequest>();
        // @ts-expect-error no body streams: read request.body
        void request.text();
        return new Request(request.url);
      },
      onResponse: async ({ response }) => response,
      onError: ({ error }) => (error instanceof Error ? error : undefined),
    };
    telnyx.raw.use(m);
  });

  test("a hook may not return something openapi-fetch would refuse", () => {
    // @ts-expect-error a string is not a request or a response
    const bad: Middleware = { onRequest: () => "nope" };
    expectTypeOf(bad).toEqualTypeOf<Middleware>();
  });
});
