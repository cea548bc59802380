// `pnpm demo` runs the IVR written as a flow; `--router` runs the same IVR written as webhook handlers. Both
// must complete the whole call against the simulator.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const examples = join(dirname(fileURLToPath(import.meta.url)), "..");

test.each([[[]], [["--router"]]])("the demo %j completes the call flow", (args: string[]) => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "demo/main.ts", ...args], {
    cwd: examples,
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  expect(run.stdout).toContain("Flow completed: 7 commands sent, 12 verified webhooks received.");
  for (const command of [
    "calls.actions.answer",
    "calls.actions.gatherUsingSpeak",
    "calls.dial",
    "calls.actions.bridge",
  ]) {
    expect(run.stdout).toContain(command);
  }
});

test("the demo --voice-bot greets, is cut off, says back what the caller said and hangs up on #", () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "demo/main.ts", "--voice-bot"], {
    cwd: examples,
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/the bot stopped after \d+ ms of its greeting \(clear\), and said back \d+ ms/);
  expect(run.stdout).toContain("Voice bot completed: 3 commands sent, 6 verified webhooks received");
  for (const command of ["calls.actions.answer", "calls.actions.streamingStart", "calls.actions.hangup"]) {
    expect(run.stdout).toContain(command);
  }
});
