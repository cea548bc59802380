// Injected failures, so a client's retries are exercised against real sockets. A fault applies either
// `before` the request is handled (the command never runs) or `after` (it ran, but the response is lost or
// replaced): the second case is what `command_id` exists for, and what the simulator's dedupe shows.
import { seededRandom } from "../seeded-random.js";

export type Fault =
  | {
      type: "status";
      status: 429 | 500 | 503;
      /** 429 only: `retry-after` and `x-ratelimit-reset`, in seconds (default 1). */
      retryAfterSeconds?: number;
      /** 429 only: `x-ratelimit-limit`, the requests the window allows (default 100); `-remaining` is 0. */
      rateLimit?: number;
      when?: "before" | "after";
    }
  | { type: "drop"; when?: "before" | "after" }
  | { type: "latency"; ms: number };

export interface FaultRule {
  /** An operationId (`SpeakCall`), `METHOD /template` (`POST /calls`), or omitted for every API route. */
  route?: string | undefined;
  fault: Fault;
  /** How many matching requests get the fault (default: all). */
  times?: number | undefined;
}

export interface FaultOptions {
  /** Faults on chosen routes, checked in order; the first rule that matches and has uses left applies. */
  rules?: FaultRule[] | undefined;
  /** Probability (0..1) that any other API request gets a random fault from `randomFaults`. */
  rate?: number | undefined;
  /** Seed for the random faults: the same seed gives the same faults for the same request sequence. */
  seed?: number | undefined;
  /** What a random fault can be (default: 429, 500, 503 and a dropped connection, all `before`). */
  randomFaults?: Fault[] | undefined;
}

const DEFAULT_RANDOM: Fault[] = [
  { type: "status", status: 429, retryAfterSeconds: 0 },
  { type: "status", status: 500 },
  { type: "status", status: 503 },
  { type: "drop" },
];

export function validateFaultOptions(options: FaultOptions): void {
  if (options.rate !== undefined && !(options.rate >= 0 && options.rate <= 1)) {
    throw new RangeError(`faults.rate must be between 0 and 1, got ${options.rate}`);
  }
  for (const rule of options.rules ?? []) {
    if (rule.fault.type === "latency" && !(rule.fault.ms >= 0)) {
      throw new RangeError(`A latency fault needs ms >= 0, got ${rule.fault.ms}`);
    }
    if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 0)) {
      throw new RangeError(`faults.rules[].times must be a non-negative integer, got ${rule.times}`);
    }
  }
}

export class FaultInjector {
  private rules: Array<{ rule: FaultRule; used: number }>;
  private readonly random: () => number;
  private readonly rate: number;
  private readonly randomFaults: Fault[];
  /** Every fault applied, in order: `{ route, fault }`. */
  readonly applied: Array<{ route: string; fault: Fault }> = [];

  constructor(options: FaultOptions = {}) {
    validateFaultOptions(options);
    this.rules = (options.rules ?? []).map((rule) => ({ rule, used: 0 }));
    this.random = seededRandom(options.seed ?? 1);
    this.rate = options.rate ?? 0;
    this.randomFaults = options.randomFaults?.length ? options.randomFaults : DEFAULT_RANDOM;
  }

  /** Adds a rule at run time (tests that fault one specific request). */
  add(rule: FaultRule): void {
    validateFaultOptions({ rules: [rule] });
    this.rules.push({ rule, used: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if any. `operationId` and `METHOD /template` both identify the route. */
  pick(operationId: string, methodAndTemplate: string): Fault | undefined {
    for (const entry of this.rules) {
      const { route, times } = entry.rule;
      if (route !== undefined && route !== operationId && route !== methodAndTemplate) continue;
      if (times !== undefined && entry.used >= times) continue;
      entry.used++;
      this.applied.push({ route: methodAndTemplate, fault: entry.rule.fault });
      return entry.rule.fault;
    }
    if (this.rate > 0 && this.random() < this.rate) {
      const fault = this.randomFaults[Math.floor(this.random() * this.randomFaults.length)]!;
      this.applied.push({ route: methodAndTemplate, fault });
      return fault;
    }
    return undefined;
  }
}
