// The generated completion table says what the issue asks each await to resolve with.
import { expect, test } from "vitest";
import { completions } from "../src/index.js";

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
