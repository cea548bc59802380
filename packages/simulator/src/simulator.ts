// `startSimulator()`: wires the call engine, the application store, the webhook dispatcher and the faults
// to one HTTP server on 127.0.0.1, and hands back what tests and apps need (base URL, public key, calls).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CallControlApplication, CallControlApplicationCreate } from "@telnyx-voice/types";
import { generateKeyPair } from "@telnyx-voice/webhooks/testing";
import { ApplicationStore } from "./calls/applications.js";
import { checkInboundCall, type InboundCallOptions, InvalidInboundCall } from "./calls/inbound.js";
import { CallEngine } from "./calls/state-machine.js";
import type { EmittedEvent, SimCall } from "./calls/types.js";
import { type DeliveryRecord, WebhookDispatcher } from "./delivery/dispatcher.js";
import { quote } from "./errors.js";
import { FaultInjector } from "./http/faults.js";
import { webhookUrlFor } from "./http/operations.js";
import { API_PREFIX, createRequestHandler } from "./http/server.js";
import { DEFAULT_API_KEY, type SimulatorOptions, validateOptions } from "./options.js";
import { warmUpValidators } from "./schema/precompile.js";

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

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  validateOptions(options);
  const logger = options.logger ?? console;
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

  const inboundCall = (input: InboundCallOptions): SimCall => {
    const o = checkInboundCall(input);
    const webhookUrl = webhookUrlFor(opContext, o.connectionId, o.webhookUrl);
    if (!webhookUrl) {
      throw new InvalidInboundCall(
        "connectionId",
        `names no application with a webhook_event_url (${quote(o.connectionId)}): create one with that id, or pass webhookUrl`,
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
    createRequestHandler({
      ...opContext,
      apiKey: options.apiKey ?? DEFAULT_API_KEY,
      faults,
      inboundCall,
      logError: (message) => logger.error(`[telnyx-voice-simulator] ${message}`),
    }),
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
