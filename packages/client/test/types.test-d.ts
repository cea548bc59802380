import type { ActionName } from "@telnyx-voice/types";
import { describe, expectTypeOf, test } from "vitest";
import { type CallActions, type DialResponse, Telnyx } from "../src/index.js";

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
});
