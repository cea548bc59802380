// The generated completion table says what the issue asks each await to resolve with.
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { expect, test } from "vitest";
import { type Completion, completions, eventsAfterHangup } from "../src/index.js";

test("foreground actions complete on the event that ends them", () => {
  expect(completions.speak.completes).toEqual(["call.speak.ended"]);
  for (const gather of ["gather", "gatherUsingSpeak", "gatherUsingAudio"] as const) {
    expect(completions[gather].completes).toEqual(["call.gather.ended"]);
  }
  expect(completions.playbackStart.completes).toEqual(["call.playback.ended"]);
  expect(completions.bridge.completes).toEqual(["call.bridged"]);
  expect(completions.recordStop.completes).toEqual(["call.recording.saved"]);
  expect(completions.refer).toEqual({ completes: ["call.refer.completed"], fails: ["call.refer.failed"] });
  expect(completions.answer.completes).toEqual(["call.answered"]);
  expect(completions.hangup.completes).toEqual(["call.hangup"]);
});

test("actions no event completes resolve with the command's response", () => {
  for (const name of ["sendDtmf", "recordPause", "recordResume", "recordStart", "clientStateUpdate"] as const) {
    expect(completions[name].completes).toBe("response");
  }
});

test("record_stop fails on call.recording.error; streaming_start waits for the stream; a transfer's new leg hanging up fails it", () => {
  expect(completions.recordStop).toEqual({ completes: ["call.recording.saved"], fails: ["call.recording.error"] });
  expect(completions.streamingStart).toEqual({ completes: ["streaming.started"], fails: ["streaming.failed"] });
  expect(completions.transfer).toEqual({ completes: ["call.bridged"], newLegFails: ["call.hangup"] });
});

test("speak, playback and the gathers can be stopped while they run, by the *_stop that ends them", () => {
  const stopped = Object.entries(completions).flatMap(([name, c]) =>
    "stoppedBy" in c ? [`${name}:${c.stoppedBy}`] : [],
  );
  expect(stopped.sort()).toEqual([
    "gather:gatherStop",
    "gatherUsingAudio:gatherStop",
    "gatherUsingSpeak:gatherStop",
    "playbackStart:playbackStop",
    "speak:playbackStop",
  ]);
});

test("spec/completions.yaml and the table the code reads say the same thing", () => {
  const file = load(readFileSync(new URL("../../../spec/completions.yaml", import.meta.url), "utf8")) as {
    after_hangup: { events: string[] };
    overrides: Record<string, { completes: "response" | string[]; fails?: string[]; new_leg_fails?: string[] }>;
  };
  expect([...eventsAfterHangup]).toEqual(file.after_hangup.events);
  for (const [segment, said] of Object.entries(file.overrides)) {
    const name = segment.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()) as keyof typeof completions;
    const table: Completion = completions[name];
    expect({
      name,
      completes: table.completes,
      fails: table.fails ?? [],
      newLegFails: table.newLegFails ?? [],
    }).toEqual({
      name,
      completes: said.completes,
      fails: said.fails ?? [],
      newLegFails: said.new_leg_fails ?? [],
    });
  }
});
