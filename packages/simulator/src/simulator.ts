// `startSimulator()`: wires the call engine, the application store, the webhook dispatcher and the faults
// to one HTTP server on 127.0.0.1, and hands back what tests and apps need (base URL, public key, calls).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CallControlApplication, CallControlApplicationCreate } from "@telnyx-voice/types";
import { generateKeyPair } from "@telnyx-voice/webhooks/testing";
import { ApplicationStore } from "./applications.js";
import { CallEngine } from "./calls/state-machine.js";
import type { EmittedEvent, SimCall } from "./calls/types.js";
import type { InboundCallOptions } from "./control.js";
import { FaultInjector, type FaultOptions } from "./faults.js";
import { webhookUrlFor } from "./operations.js";
import { API_PREFIX, createRequestHandler } from "./server.js";
import { warmUpValidators } from "./warm-up.js";
import { type DeliveryRecord, type RedeliveryOptions, WebhookDispatcher } from "./webhook-dispatcher.js";

/** The key the simulator accepts when none is configured. Not a secret: it only opens a local simulator. */
export const DEFAULT_API_KEY = "KEY_SIMULATOR";

export interface SimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default 127.0.0.1: the simulator is not meant to be reachable from elsewhere). */
  host?: string;
  /** Where webhooks go for calls whose dial has no `webhook_url` and whose application is unknown. */
  webhookUrl?: string;
  /** The bearer key clients must send (default {@link DEFAULT_API_KEY}). */
  apiKey?: string;
  /** Ring time before an outbound call is answered or turned down (default 100 ms). */
  answerDelayMs?: number;
  /** How long speak and playback last (default 50 ms). */
  mediaDurationMs?: number;
  /** Longest a gather waits for digits nobody scripted (default 5000 ms). */
  maxGatherWaitMs?: number;
  /** An unanswered inbound call is cancelled by the caller after this long (default 60000 ms). */
  inboundRingTimeoutMs?: number;
  /** Injected failures: per route, or at random with a seed. */
  faults?: FaultOptions;
  /** Webhook redelivery (attempts, backoff, timeout). */
  redelivery?: RedeliveryOptions;
  /** Signing keys (base64 raw Ed25519); a fresh pair is generated when omitted. */
  keyPair?: { publicKey: string; privateKey: string };
  /**
   * Compile every request validator on a background thread once listening (default false: each compiles on
   * first use, 5-300 ms once per process). Worth it for a long-running simulator that sits idle before its
   * first client (the CLI turns it on); for one started right before its commands the extra thread competed
   * for CPU and made the demo's first commands slower, hence off by default.
   */
  precompileValidators?: boolean;
}

export interface EmittedEventRecord {
  callControlId: string;
  event: EmittedEvent;
}

export interface Simulator {
  /** Base URL for a Telnyx client, e.g. `http://127.0.0.1:41234/v2`. */
  readonly url: string;
  readonly port: number;
  /** Base64 Ed25519 public key: give it to your webhook verifier. */
  readonly publicKey: string;
  /** Someone calls one of your numbers: `call.initiated` (direction `incoming`) goes to the application's URL. */
  inboundCall(options: InboundCallOptions): SimCall;
  readonly calls: {
    get(callControlId: string): SimCall | undefined;
    list(): SimCall[];
  };
  /** Create applications without going through HTTP (tests' setup). */
  readonly applications: { create(body: CallControlApplicationCreate): CallControlApplication };
  /** Every event emitted, in emission order. */
  readonly events: readonly EmittedEventRecord[];
  /** One record per event delivery (attempts, final status). */
  readonly deliveries: readonly DeliveryRecord[];
  readonly faults: FaultInjector;
  /** Resolves when no webhook is waiting to be delivered. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

function checkNonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${name} must be a number >= 0, got ${value}`);
  }
}

function checkUrl(name: string, value: string | undefined): void {
  if (value === undefined) return;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL, got "${value}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`${name} must be an http(s) URL, got "${value}"`);
  }
}

export function validateOptions(options: SimulatorOptions): void {
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${options.port}`);
  }
  checkUrl("webhookUrl", options.webhookUrl);
  if (options.apiKey !== undefined && options.apiKey.trim() === "") throw new TypeError("apiKey must not be empty");
  checkNonNegative("answerDelayMs", options.answerDelayMs);
  checkNonNegative("mediaDurationMs", options.mediaDurationMs);
  checkNonNegative("maxGatherWaitMs", options.maxGatherWaitMs);
  checkNonNegative("inboundRingTimeoutMs", options.inboundRingTimeoutMs);
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  validateOptions(options);
  const keyPair = options.keyPair ?? (await generateKeyPair());
  const dispatcher = new WebhookDispatcher(keyPair.privateKey, options.redelivery);
  const events: EmittedEventRecord[] = [];
  const engine = new CallEngine(
    {
      answerDelayMs: options.answerDelayMs ?? 100,
      mediaDurationMs: options.mediaDurationMs ?? 50,
      maxGatherWaitMs: options.maxGatherWaitMs ?? 5000,
      inboundRingTimeoutMs: options.inboundRingTimeoutMs ?? 60000,
    },
    (call, event) => {
      events.push({ callControlId: call.callControlId, event });
      dispatcher.enqueue(call.callControlId, call.webhookUrl, event);
    },
  );
  const applications = new ApplicationStore();
  const faults = new FaultInjector(options.faults);
  const opContext = {
    engine,
    applications,
    defaultWebhookUrl: options.webhookUrl,
    dialCommands: new Map<string, unknown>(),
  };

  const inboundCall = (o: InboundCallOptions): SimCall => {
    for (const key of ["from", "to", "connectionId"] as const) {
      if (typeof o[key] !== "string" || o[key] === "") throw new TypeError(`inboundCall: ${key} is required`);
    }
    checkUrl("inboundCall: webhookUrl", o.webhookUrl);
    if (o.digits !== undefined && !/^[0-9A-D*#]*$/.test(o.digits)) {
      throw new TypeError(`inboundCall: digits may contain only 0-9, A-D, * and #, got "${o.digits}"`);
    }
    const webhookUrl = webhookUrlFor(opContext, o.connectionId, o.webhookUrl);
    if (!webhookUrl) {
      throw new Error(
        `inboundCall: no webhook URL for connection ${o.connectionId}: create an application with that id's webhook_event_url, or pass webhookUrl`,
      );
    }
    const call = engine.create({
      direction: "incoming",
      from: o.from,
      to: o.to,
      connectionId: o.connectionId,
      webhookUrl,
      clientState: o.clientState,
      digits: o.digits,
    });
    return engine.handle(call);
  };

  const server: Server = createServer(
    createRequestHandler({ ...opContext, apiKey: options.apiKey ?? DEFAULT_API_KEY, faults, inboundCall }),
  );
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (options.precompileValidators === true) void warmUpValidators();
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}${API_PREFIX}`,
    port: address.port,
    publicKey: keyPair.publicKey,
    inboundCall,
    calls: {
      get: (id) => {
        const call = engine.calls.get(id);
        return call ? engine.handle(call) : undefined;
      },
      list: () => [...engine.calls.values()].map((c) => engine.handle(c)),
    },
    applications: { create: (body) => applications.create(body) },
    events,
    deliveries: dispatcher.deliveries,
    faults,
    idle: () => dispatcher.idle(),
    stop: async () => {
      engine.stop();
      dispatcher.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
