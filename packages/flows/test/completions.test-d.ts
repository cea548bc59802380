import type { ActionName } from "@telnyx-voice/types";
import { expectTypeOf, test } from "vitest";
import { completions, type FlowActions } from "../src/index.js";

test("every action of the slice has a completion, typed by its event names", () => {
  expectTypeOf<keyof typeof completions>().toEqualTypeOf<ActionName>();
  expectTypeOf(completions.speak.completes).toEqualTypeOf<readonly ["call.speak.ended"]>();
});

test("a flow's call has a method for every action of the slice, typed from the generated table", () => {
  expectTypeOf<keyof FlowActions>().toEqualTypeOf<ActionName>();
});
