// One process, for the pattern apps' tests: the simulator delivering webhooks as Telnyx may (duplicated,
// concurrent, jittered), a receiver on loopback serving CallFlows' node handler, and the client pointed at the
// simulator. Only the packages' public APIs.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type ClientOptions, Telnyx } from "@telnyx-voice/client";
import { CallFlows, type CallFlowsOptions } from "@telnyx-voice/flows";
import { type DeliveryOptions, type Simulator, type SimulatorOptions, startSimulator } from "@telnyx-voice/simulator";
import { Webhooks } from "@telnyx-voice/webhooks";

export const API_KEY = "KEY_patterns";
export const OUR_NUMBER = "+13125550100";
export const CALLER = "+13125550142";

/** Duplicates, several of a call's events in flight at once, and jitter: what Telnyx may do. */
export const ROUGH: DeliveryOptions = { duplicateRate: 0.3, concurrency: 3, jitterMs: 15, seed: 7 };

export interface Harness {
  sim: Simulator;
  telnyx: Telnyx;
  flows: CallFlows;
  connectionId: string;
  /** What the flows reported through onError. */
  errors: unknown[];
  close(): Promise<void>;
}

export async function harness(
  options: {
    sim?: SimulatorOptions;
    client?: Partial<ClientOptions>;
    flows?: Partial<Omit<CallFlowsOptions, "telnyx" | "webhooks">>;
  } = {},
): Promise<Harness> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  const sim = await startSimulator({
    apiKey: API_KEY,
    answerDelayMs: 30,
    mediaDurationMs: 40,
    maxGatherWaitMs: 1000,
    delivery: ROUGH,
    ...options.sim,
  });
  const connectionId =
    sim.applications.create({ application_name: "patterns", webhook_event_url: webhookUrl }).id ?? "";
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: sim.url, ...options.client });
  const webhooks = new Webhooks({ publicKey: sim.publicKey });
  const errors: unknown[] = [];
  const flows = new CallFlows({
    telnyx,
    webhooks,
    timeoutMs: 10_000,
    reorderWindowMs: 40,
    onError: (error) => errors.push(error),
    ...options.flows,
  });
  server.on("request", flows.nodeHandler());
  return {
    sim,
    telnyx,
    flows,
    connectionId,
    errors,
    async close() {
      await flows.close();
      await sim.stop();
      server.close();
      server.closeAllConnections();
    },
  };
}

/** Resolves once `check` holds, polling; fails after `ms`. */
export async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
