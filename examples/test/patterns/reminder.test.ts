// The appointment reminder on one process, against the simulator delivering as Telnyx may: confirmed, cancelled,
// and a number that does not answer, tried twice.
import { afterEach, expect, test } from "vitest";
import { remind } from "../../patterns/reminder.ts";
import { type Harness, harness, OUR_NUMBER } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test("1 confirms, 2 cancels, no answer is retried once and then reported", async () => {
  h = await harness();
  const t = h;
  t.sim.farEnd("+13125550301", { digits: "1" });
  t.sim.farEnd("+13125550302", { digits: "2" });
  const settings = { connectionId: t.connectionId, from: OUR_NUMBER, retryAfterMs: 200 };
  const replies = await Promise.all([
    remind(t.flows, settings, { to: "+13125550301", when: "Monday at 10" }),
    remind(t.flows, settings, { to: "+13125550302", when: "Tuesday at 11" }),
    remind(t.flows, settings, { to: "+13125550408", when: "Friday at 9" }),
  ]);
  expect(replies).toEqual(["confirmed", "cancelled", "unreachable"]);
  const dials = (to: string) => t.sim.calls.list().filter((call) => call.to === to);
  expect(dials("+13125550301")).toHaveLength(1);
  expect(dials("+13125550408")).toHaveLength(2);
  for (const call of dials("+13125550408")) expect(call.hangupCause).toBe("timeout");
  // What was said depends on the reply: gathered, then spoken, then hung up by the app.
  expect(dials("+13125550302")[0]?.eventTypes).toEqual(
    expect.arrayContaining(["call.gather.ended", "call.speak.ended", "call.hangup"]),
  );
  expect(t.errors).toEqual([]);
});
