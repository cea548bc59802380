// One process: the simulator (delivering webhooks as roughly as Telnyx: duplicated, concurrent, jittered), a
// receiver on loopback serving CallFlows' node handler, and the client pointed at the simulator.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Telnyx } from "@telnyx-voice/client";
import { type DeliveryOptions, type Simulator, startSimulator } from "@telnyx-voice/simulator";
import { Webhooks } from "@telnyx-voice/webhooks";
import { CallFlows, type CallFlowsOptions } from "../src/index.js";

export const API_KEY = "KEY_flows";
export const OUR_NUMBER = "+13125550100";
export const CUSTOMER = "+13125550142";
export const AGENT = "+13125550111";
export const BUSY = "+13125550486";
export const NO_ANSWER = "+13125550408";
export const REJECTS = "+13125550603";

/** Duplicates, several of a call's events in flight at once, and jitter: what Telnyx may do. */
export const ROUGH: DeliveryOptions = { duplicateRate: 0.3, concurrency: 3, jitterMs: 15, seed: 7 };

export interface Harness<State> {
  sim: Simulator;
  telnyx: Telnyx;
  flows: CallFlows<State>;
  /** What the flows reported through onError. */
  errors: unknown[];
  /** Someone calls OUR_NUMBER; resolves with the new call's id. */
  callIn(digits?: string): string;
  close(): Promise<void>;
}

export async function harness<State = unknown>(
  options: {
    delivery?: DeliveryOptions;
    mediaDurationMs?: number;
    maxGatherWaitMs?: number;
    flows?: Partial<Omit<CallFlowsOptions, "telnyx" | "webhooks">>;
  } = {},
): Promise<Harness<State>> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  const sim = await startSimulator({
    apiKey: API_KEY,
    webhookUrl,
    answerDelayMs: 30,
    mediaDurationMs: options.mediaDurationMs ?? 40,
    maxGatherWaitMs: options.maxGatherWaitMs ?? 400,
    delivery: options.delivery ?? ROUGH,
  });
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: sim.url });
  const webhooks = new Webhooks({ publicKey: sim.publicKey });
  const errors: unknown[] = [];
  const flows = new CallFlows<State>({
    telnyx,
    webhooks,
    timeoutMs: 10_000,
    onError: (error) => errors.push(error),
    ...options.flows,
  });
  server.on("request", flows.nodeHandler());
  return {
    sim,
    telnyx,
    flows,
    errors,
    callIn: (digits) =>
      sim.inboundCall({ from: CUSTOMER, to: OUR_NUMBER, connectionId: "flows-app", ...(digits ? { digits } : {}) })
        .callControlId,
    async close() {
      await sim.stop();
      server.close();
      server.closeAllConnections();
    },
  };
}

/** A promise and its settle functions (Node 20 has no Promise.withResolvers). */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves once `check` holds, polling; fails after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
