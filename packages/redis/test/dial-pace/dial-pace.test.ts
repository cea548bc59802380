// Dial pacing across instances, as the issue asks: 5 processes dial 300 calls through one Redis against the
// simulator enforcing Telnyx's dials-per-second limit (30, summed over a rolling 5 s): no 5-second window at
// the simulator holds more than 150 dials, and no dial is refused. The same 5 processes without pacing are
// refused, so the check can fail.
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startSimulator } from "@telnyx-voice/simulator";
import { describe, expect, inject, it } from "vitest";

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const dialer = fileURLToPath(new URL("./dialer.ts", import.meta.url));
const LIMIT = 30;
const PROCESSES = 5;
const CALLS = 300;

interface Report {
  placed: number;
  refused: number;
  failures: string[];
}

async function run(perSecond: number) {
  const sim = await startSimulator({ dialsPerSecond: LIMIT, logger: { warn: () => {}, error: () => {} } });
  try {
    const prefix = `pace-${Date.now()}-${perSecond}:`;
    const reports = await Promise.all(
      Array.from(
        { length: PROCESSES },
        (_, i) =>
          new Promise<Report>((resolve, reject) => {
            const child = fork(dialer, [], {
              execArgv: ["--import", tsx],
              env: {
                ...process.env,
                REDIS_URL: inject("redisUrl"),
                KEY_PREFIX: prefix,
                TELNYX_BASE_URL: sim.url,
                COUNT: String(CALLS / PROCESSES),
                PER_SECOND: String(perSecond),
                INSTANCE: String(i),
              },
            });
            child.once("message", (m: Report) => resolve(m));
            child.once("exit", (code) => code !== 0 && reject(new Error(`dialer ${i} exited with ${code}`)));
          }),
      ),
    );
    // When each dial was accepted, by the simulator's clock: its call.initiated.
    const accepted = sim.events
      .filter((e) => e.event.data.event_type === "call.initiated")
      .map((e) => Date.parse(e.event.data.occurred_at))
      .sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; j < accepted.length; j++) {
      while (accepted[j]! - accepted[i]! >= 5000) i++;
      busiest = Math.max(busiest, j - i + 1);
    }
    return { reports, accepted: accepted.length, busiest, refused: sim.dialsRefused };
  } finally {
    await sim.stop();
  }
}

describe("dial pacing across 5 processes through one Redis", () => {
  it("keeps every 5-second window at the simulator within Telnyx's 150 dials, and none is refused", {
    timeout: 60_000,
  }, async () => {
    // new Telnyx({ dialRate: { perSecond: 25, store: redisStore } }) in each process. 25 of the limit's 30: dials
    // leave evenly spaced, and the margin (25 dials a window) absorbs whatever bunches them on the way (a network,
    // or here a busy event loop at the simulator holding requests up to 1 s).
    const result = await run(25);
    console.log(
      `[dial pace] ${result.accepted} dials accepted, busiest 5 s window ${result.busiest}, refused ${result.refused}`,
    );
    expect(result.reports.flatMap((r) => r.failures)).toEqual([]);
    expect(result.refused).toBe(0);
    expect(result.reports.reduce((n, r) => n + r.placed, 0)).toBe(CALLS);
    expect(result.accepted).toBe(CALLS);
    expect(result.busiest).toBeLessThanOrEqual(LIMIT * 5);
  });

  it("without pacing, the same 5 processes are refused", { timeout: 60_000 }, async () => {
    const result = await run(0);
    console.log(
      `[dial pace, none] ${result.accepted} dials accepted, busiest 5 s window ${result.busiest}, refused ${result.refused}`,
    );
    expect(result.refused).toBeGreaterThan(0);
    expect(result.reports.reduce((n, r) => n + r.refused, 0)).toBe(result.refused);
  });
});
