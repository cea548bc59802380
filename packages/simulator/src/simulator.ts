// `startSimulator()`: wires the call engine, the application store, the webhook dispatcher and the faults
// to one HTTP server on 127.0.0.1, and hands back what tests and apps need (base URL, public key, calls).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CallControlApplication, CallControlApplicationCreate } from "@telnyx-voice/types";
import { generateKeyPair } from "@telnyx-voice/webhooks/testing";
import { keyPairFromFile } from "./key-file.js";
import { ApplicationStore } from "./calls/applications.js";
import { CallLog } from "./calls/call-log.js";
import { checkInboundCall, type InboundCallOptions, InvalidInboundCall } from "./calls/inbound.js";
import { CallEngine } from "./calls/state-machine.js";
import type { FarEndScript } from "./calls/far-ends.js";
import type { CallRecord, EmittedEvent, SimCall } from "./calls/types.js";
import { type DeliveryRecord, type DeliveryRoute, WebhookDispatcher } from "./delivery/dispatcher.js";
import { defaultRetries, resolveDelivery } from "./delivery/options.js";
import { quote } from "./errors.js";
import { resolveMediaDelivery } from "./media/options.js";
import { DialRateLimit } from "./http/dial-rate.js";
import { FaultInjector } from "./http/faults.js";
import { DialCommands, webhookUrlFor } from "./http/operations.js";
import { API_PREFIX, createRequestHandler } from "./http/server.js";
import {
  DEFAULT_API_KEY,
  DEFAULT_ENDED_CALL_RETENTION_MS,
  isLoopback,
  type SimulatorOptions,
  validateOptions,
} from "./options.js";
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
  /**
   * Scripts the far end of the next outbound call to `number` (a dial, or a transfer's new leg): once answered,
   * it presses `digits` at the call's gathers, as `inboundCall({ digits })` does for a caller, and `says` its
   * first words once the call's first media stream starts. Each call takes one script, in the order given.
   */
  farEnd(number: string, script: FarEndScript): void;
  readonly calls: {
    get(callControlId: string): SimCall | undefined;
    list(): SimCall[];
  };
  /** Create applications without going through HTTP (tests' setup). */
  readonly applications: { create(body: CallControlApplicationCreate): CallControlApplication };
  /**
   * Every event emitted, in emission order, while its call is kept (`endedCallRetentionMs`). A fresh array
   * each time the log drops a forgotten call: read `sim.events` again rather than keeping the array.
   */
  readonly events: readonly EmittedEventRecord[];
  /**
   * Every webhook POST, in the order sent: event id, copy, attempt, URL (primary or failover), status or error,
   * when, and whether it was the last try. Kept, like `events`, while the call is.
   */
  readonly deliveries: readonly DeliveryRecord[];
  readonly faults: FaultInjector;
  /** How many dials `dialsPerSecond` refused (429, code 90103) so far; 0 without the option. */
  readonly dialsRefused: number;
  /**
   * Resolves when no webhook is waiting to be delivered, and no ended call has anything left to send (a recording
   * saved after the hangup).
   */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  validateOptions(options);
  const delivery = resolveDelivery(options.redelivery, options.delivery);
  const logger = options.logger ?? console;
  const warn = (message: string) => logger.warn(message);
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const host = options.host ?? "127.0.0.1";
  if (apiKey === DEFAULT_API_KEY && !isLoopback(host)) {
    warn(
      `[telnyx-voice-simulator] listening on ${host} with the default API key ${DEFAULT_API_KEY}: anyone who can ` +
        "reach this address can place calls and read them. Set apiKey (--api-key / TELNYX_API_KEY), or bind 127.0.0.1.",
    );
  }
  const keyPair =
    options.keyPair ?? (options.keyFile ? await keyPairFromFile(options.keyFile) : await generateKeyPair());
  const dispatcher = new WebhookDispatcher(keyPair.privateKey, delivery, warn);
  const events = new CallLog<EmittedEventRecord>();
  const applications = new ApplicationStore();
  const dialCommands = new DialCommands();
  const defaultRetriesMs = defaultRetries(delivery);

  /** Where and how an event goes: its type's URL or the call's, the application's failover URL and timeout. */
  const routeOf = (call: CallRecord, event: EmittedEvent): DeliveryRoute => {
    const type = event.data.event_type;
    const app = applications.get(call.connectionId);
    const timeoutSecs = app?.webhook_timeout_secs;
    return {
      url: call.eventUrls.get(type) ?? call.webhookUrl,
      failoverUrl: app?.webhook_event_failover_url || undefined,
      timeoutMs: timeoutSecs ? timeoutSecs * 1000 : delivery.timeoutMs,
      retriesMs: call.retryPolicies.get(type) ?? defaultRetriesMs,
    };
  };

  const engine = new CallEngine(
    {
      answerDelayMs: options.answerDelayMs ?? 100,
      mediaDurationMs: options.mediaDurationMs ?? 50,
      maxGatherWaitMs: options.maxGatherWaitMs ?? 5000,
      inboundRingTimeoutMs: options.inboundRingTimeoutMs ?? 60000,
      endedCallRetentionMs: options.endedCallRetentionMs ?? DEFAULT_ENDED_CALL_RETENTION_MS,
      machineDetectionMs: options.machineDetectionMs ?? 50,
      machineGreetingMs: options.machineGreetingMs ?? 100,
      recordingSavedDelayMs: options.recordingSavedDelayMs ?? 50,
      streamConnectTimeoutMs: options.streamConnectTimeoutMs ?? 5000,
    },
    {
      onEvent: (call, event) => {
        events.push({ callControlId: call.callControlId, event });
        dispatcher.enqueue(call.callControlId, event, routeOf(call, event));
      },
      // What hangs off a forgotten call goes with it, once its last webhook is delivered or given up.
      onForget: (call) =>
        void dispatcher.settled(call.callControlId).then(() => {
          events.forget(call.callControlId);
          dispatcher.forget(call.callControlId);
          dialCommands.forget(call.callControlId);
        }),
      warn,
    },
    undefined,
    undefined,
    resolveMediaDelivery(options.media),
  );
  const faults = new FaultInjector(options.faults);
  const dialRate = options.dialsPerSecond === undefined ? undefined : new DialRateLimit(options.dialsPerSecond);
  const opContext = { engine, applications, defaultWebhookUrl: options.webhookUrl, dialCommands, dialRate };

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
      says: o.says,
    });
    return engine.handle(call);
  };

  const server: Server = createServer(
    createRequestHandler({
      ...opContext,
      apiKey,
      faults,
      inboundCall,
      logError: (message) => logger.error(`[telnyx-voice-simulator] ${message}`),
    }),
  );
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (options.precompileValidators === true) void warmUpValidators();
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}${API_PREFIX}`,
    port: address.port,
    publicKey: keyPair.publicKey,
    inboundCall,
    farEnd: (number, script) => engine.farEnds.expect(number, script),
    calls: {
      get: (id) => {
        const call = engine.calls.get(id);
        return call ? engine.handle(call) : undefined;
      },
      list: () => [...engine.calls.values()].map((c) => engine.handle(c)),
    },
    applications: { create: (body) => applications.create(body) },
    get events() {
      return events.view;
    },
    get deliveries() {
      return dispatcher.deliveries;
    },
    faults,
    get dialsRefused() {
      return dialRate?.refused ?? 0;
    },
    idle: async () => {
      // An ended call's recording is saved a moment after its hangup: wait for it, then for its delivery.
      await engine.lingeringDone();
      await dispatcher.idle();
    },
    stop: async () => {
      engine.stop();
      dispatcher.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
