// The outbound campaign on one process, against the simulator delivering as Telnyx may: machines get a message
// after their beep, people are asked (and answer by the keys the simulator's far ends press), busy and no answer
// are recorded, every number is dialled once, at the paced rate.
import { memoryStore } from "@telnyx-voice/webhooks";
import { afterEach, expect, test } from "vitest";
import { campaign, type Result } from "../../patterns/campaign.ts";
import { type Harness, harness, OUR_NUMBER } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LIST: Record<string, Result> = {
  "+13125550700": "message left", // an answering machine (the simulator's 0700 rule)
  "+13125560700": "message left",
  "+13125550201": "interested",
  "+13125550202": "not interested",
  "+13125550701": "no response", // detection not sure: asked, presses nothing
  "+13125550486": "busy",
  "+13125550408": "no answer",
  "+13125550603": "unreachable", // rejected
};

test("machines get the message after the beep, people a question; busy and no answer recorded; each dialled once", async () => {
  h = await harness({ client: { dialRate: { perSecond: 20, store: memoryStore() } } });
  const t = h;
  t.sim.farEnd("+13125550201", { digits: "1" });
  t.sim.farEnd("+13125550202", { digits: "2" });
  const queue = Object.keys(LIST);
  const results: Record<string, Result> = {};
  const started = Date.now();
  await campaign({
    flows: t.flows,
    connectionId: t.connectionId,
    from: OUR_NUMBER,
    next: async () => queue.shift(),
    record: (to, outcome) => {
      if (outcome instanceof Error) throw outcome;
      results[to] = outcome;
    },
  });
  expect(results).toEqual(LIST);
  const dialled = t.sim.calls.list().map((call) => call.to);
  expect(dialled.sort()).toEqual(Object.keys(LIST).sort());
  // 7 dials at 20 a second are spread over at least 6 intervals.
  expect(Date.now() - started).toBeGreaterThanOrEqual(6 * 50 - 10);
  // The message was spoken after the machine's beep.
  for (const to of ["+13125550700", "+13125560700"]) {
    const types = t.sim.calls.list().find((call) => call.to === to)?.eventTypes ?? [];
    expect(types.indexOf("call.speak.started"), to).toBeGreaterThan(types.indexOf("call.machine.greeting.ended"));
  }
  expect(t.errors).toEqual([]);
});
