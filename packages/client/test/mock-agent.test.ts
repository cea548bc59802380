// Users test their code with undici's MockAgent: the client sends with fetch, so on Node a MockAgent set as
// the global dispatcher answers its requests. What a user's test would do: no `fetch` option, Telnyx's URL.
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher } from "undici";
import { afterEach, beforeEach, expect, test } from "vitest";
import { APIConnectionError, DEFAULT_BASE_URL, Telnyx, UnprocessableEntityError } from "../src/index.js";

const API_KEY = "KEY_mock_agent_test";
const DIAL = { connection_id: "conn", from: "+13125550001", to: "+13125550002" };
const origin = new URL(DEFAULT_BASE_URL).origin;
const original = getGlobalDispatcher();
let agent: MockAgent;

beforeEach(() => {
  agent = new MockAgent();
  // Nothing reaches the network: a request no interceptor matches fails.
  agent.disableNetConnect();
  setGlobalDispatcher(agent);
});

afterEach(async () => {
  setGlobalDispatcher(original);
  await agent.close();
});

test("a MockAgent answers the client's dial, and sees what it sent", async () => {
  let sent: { body: unknown; authorization: unknown } | undefined;
  agent
    .get(origin)
    .intercept({ path: "/v2/calls", method: "POST" })
    .reply(200, (options) => {
      const headers = options.headers as Record<string, string>;
      sent = { body: JSON.parse(String(options.body)), authorization: headers.authorization };
      return { data: { call_control_id: "v3:mocked", call_leg_id: "leg", call_session_id: "session" } };
    });
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: DEFAULT_BASE_URL });
  const { data } = await telnyx.calls.dial(DIAL);
  expect(data.call_control_id).toBe("v3:mocked");
  expect(sent?.body).toMatchObject(DIAL);
  expect(sent?.authorization).toBe(`Bearer ${API_KEY}`);
  agent.assertNoPendingInterceptors();
});

test("mocked errors and retries behave as real ones: 503 then 200 with one command_id, a 422 typed", async () => {
  const ids: unknown[] = [];
  const pool = agent.get(origin);
  /** A reply that notes the command_id each attempt carried. */
  const recording =
    <T>(answer: T) =>
    (options: { body?: unknown }): T => {
      ids.push(JSON.parse(String(options.body)).command_id);
      return answer;
    };
  pool.intercept({ path: "/v2/calls/v3:a/actions/hangup", method: "POST" }).reply(503, recording(""));
  pool
    .intercept({ path: "/v2/calls/v3:a/actions/hangup", method: "POST" })
    .reply(200, recording({ data: { result: "ok" } }));
  pool
    .intercept({ path: "/v2/calls/v3:a/actions/speak", method: "POST" })
    .reply(422, { errors: [{ code: "90018", title: "Call has already ended" }] });
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: DEFAULT_BASE_URL, backoff: { initialDelay: 1, maxDelay: 1 } });
  await expect(telnyx.calls.actions.hangup("v3:a")).resolves.toEqual({ data: { result: "ok" } });
  expect(ids).toHaveLength(2);
  expect(ids[1]).toBe(ids[0]);
  const error = await telnyx.calls.actions.speak("v3:a", { payload: "hi", voice: "female" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnprocessableEntityError);
  expect((error as UnprocessableEntityError).errors[0]?.code).toBe("90018");
  agent.assertNoPendingInterceptors();
});

test("with net connect disabled, a request nothing intercepts is an APIConnectionError, never sent", async () => {
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: DEFAULT_BASE_URL, maxRetries: 0 });
  const error = await telnyx.calls.retrieveStatus("v3:unmocked").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(APIConnectionError);
  expect((error as Error).message).toMatch(/GET https:\/\/api\.telnyx\.com\/v2\/calls\/v3:unmocked failed: /);
});
