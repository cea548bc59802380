// Compiled with exactOptionalPropertyTypes (test/tsconfig.json): every option that falls back when
// absent takes an explicit `undefined`, as `process.env.X` and spread-in settings give it.
import { describe, expectTypeOf, test } from "vitest";
import { memoryStore } from "@telnyx-voice/webhooks";
import {
  type BackoffOptions,
  type ClientOptions,
  type DialPaceStore,
  type DialRateOptions,
  type Logger,
  type RequestOptions,
  Telnyx,
} from "../src/index.js";

declare const env: Record<string, string | undefined>;
declare const maybe: number | undefined;

describe("exactOptionalPropertyTypes", () => {
  test("this file really is compiled with it", () => {
    interface Probe {
      a?: string;
    }
    // @ts-expect-error an explicit undefined is refused only under exactOptionalPropertyTypes
    const probe: Probe = { a: undefined };
    expectTypeOf(probe).toEqualTypeOf<Probe>();
  });

  test("new Telnyx({ apiKey: process.env.X }) and every other client option", () => {
    const telnyx = new Telnyx({
      apiKey: env.TELNYX_API_KEY,
      baseURL: env.TELNYX_BASE_URL,
      timeout: maybe,
      maxRetries: maybe,
      commandTimeout: maybe,
      maxResponseBytes: maybe,
      fetch: undefined,
      defaultHeaders: undefined,
      logger: undefined,
      backoff: { initialDelay: maybe, maxDelay: maybe },
      dialRate: { perSecond: 25, store: memoryStore(), key: env.DIAL_KEY, maxWaitMs: maybe },
    });
    expectTypeOf(telnyx).toEqualTypeOf<Telnyx>();
    const options: ClientOptions = { backoff: undefined };
    expectTypeOf(options).toMatchTypeOf<ClientOptions>();
  });

  test("{ signal: undefined } and the other request options, in resource methods and raw", () => {
    const telnyx = new Telnyx({ apiKey: "k" });
    const options: RequestOptions = {
      signal: undefined,
      timeout: undefined,
      maxRetries: undefined,
      headers: undefined,
      commandTimeout: undefined,
      maxResponseBytes: undefined,
    };
    expectTypeOf(telnyx.calls.retrieveStatus).toBeCallableWith("v3:a", { signal: undefined });
    expectTypeOf(telnyx.calls.actions.hangup).toBeCallableWith("v3:a", {}, options);
    void telnyx.raw.GET("/calls/{call_control_id}", {
      params: { path: { call_control_id: "v3:a" } },
      signal: undefined,
      timeout: undefined,
      middleware: undefined,
    });
  });

  test("dialRate takes any store with reserve(key, intervalMs), and nothing else", () => {
    expectTypeOf(memoryStore()).toExtend<DialPaceStore>();
    expectTypeOf<DialRateOptions["store"]>().toEqualTypeOf<DialPaceStore>();
    // @ts-expect-error a store without reserve
    new Telnyx({ dialRate: { perSecond: 1, store: {} } });
    // @ts-expect-error perSecond is required
    new Telnyx({ dialRate: { store: memoryStore() } });
  });

  test("BackoffOptions and Logger", () => {
    const backoff: BackoffOptions = { initialDelay: undefined, maxDelay: undefined };
    const logger: Logger = { debug: undefined, info: undefined, warn: console.warn, error: undefined };
    expectTypeOf(backoff).toEqualTypeOf<BackoffOptions>();
    expectTypeOf(logger).toEqualTypeOf<Logger>();
  });
});
