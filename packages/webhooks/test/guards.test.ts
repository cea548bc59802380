import { describe, expect, it } from "vitest";
import { isEventType, type WebhookEvent } from "../src/index.js";
import { callAnswered } from "./helpers.js";

const answered = callAnswered() as WebhookEvent;

describe("isEventType", () => {
  it("is true for the event's own type, or a list that holds it", () => {
    expect(isEventType(answered, "call.answered")).toBe(true);
    expect(isEventType(answered, ["call.hangup", "call.answered"])).toBe(true);
  });

  it("is false for other types, an empty list, and event types these types do not know", () => {
    expect(isEventType(answered, "call.hangup")).toBe(false);
    expect(isEventType(answered, [])).toBe(false);
    const newer = {
      data: { ...answered.data, event_type: "call.teleported" },
      meta: answered.meta,
    } as unknown as WebhookEvent;
    expect(isEventType(newer, "call.answered")).toBe(false);
  });

  it("is false, rather than throwing, for values that are not events", () => {
    for (const value of [null, undefined, 42, "call.answered", {}, { data: null }, { data: { event_type: 7 } }]) {
      expect(isEventType(value as unknown as WebhookEvent, "call.answered")).toBe(false);
    }
  });
});
