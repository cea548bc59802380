import { WebhookBusyError } from "../errors.js";
import type { WebhookEvent, WebhookEventOf, WebhookEventType } from "../events.js";
import type { NodeRequestLike, NodeResponseLike } from "../handlers/node.js";
import { telemetry } from "../telemetry.js";
import { type DeliveryContext, deliver, type RouteInfo } from "./deliver.js";
import { Renewals } from "./heartbeat.js";
import { type ResolvedRouterOptions, type RouterOptions, resolveRouterOptions } from "./options.js";
import { Waits } from "./waits.js";

/** The handler factories of the `Webhooks` instance that made the router. */
export interface RouterHost {
  fetchHandler(onEvent: (event: WebhookEvent) => unknown): (request: Request) => Promise<Response>;
  nodeHandler<Req extends NodeRequestLike, Res extends NodeResponseLike>(
    onEvent: (event: WebhookEvent) => unknown,
  ): (req: Req, res: Res, next?: (error?: unknown) => void) => Promise<void>;
}

/** Handles one event type; receives the event narrowed to that type, and what the router knows about it. */
export type RouteHandler<T extends WebhookEventType> = (event: WebhookEventOf<T>, info: RouteInfo) => unknown;

type AnyHandler = (event: WebhookEvent, info: RouteInfo) => unknown;

/** An unreachable or stalled store fails every delivery alike: it is reported once in this long. */
const STORE_REPORT_EVERY_MS = 10_000;

function throttled(report: (error: unknown) => void, everyMs: number): (error: unknown) => void {
  let last = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  return (error) => {
    const at = Date.now();
    if (at - last < everyMs) {
      skipped++;
      return;
    }
    last = at;
    if (skipped > 0 && error instanceof Error) {
      error.message += ` (${skipped} more store failure${skipped === 1 ? "" : "s"} in the last ${everyMs / 1000} s not reported)`;
    }
    skipped = 0;
    report(error);
  };
}

/** A short random id for this router, so that owners are unique across instances sharing a store. */
function instanceId(): string {
  const bytes = new Uint8Array(8);
  if (typeof crypto !== "undefined" && typeof crypto.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Dispatches events to handlers by `data.event_type`: `router.on("call.answered", (event) => ...)`.
 * Pass `router.handle` (or the router's own fetchHandler / nodeHandler) where an event handler goes.
 *
 * Through its store, each event is handled exactly once (a duplicate or redelivery of a handled event is
 * answered 200 without calling you), a call's handlers never overlap, and with `reorderWindowMs` a call's
 * events reach you in `occurred_at` order: on one process with the default `memoryStore()`, across
 * instances with a shared store (`redisStore` from `@telnyx-voice/redis`).
 */
export class WebhookRouter {
  readonly #routes = new Map<string, AnyHandler[]>();
  #fallback: AnyHandler | undefined;
  readonly #host: RouterHost;
  readonly #options: ResolvedRouterOptions;
  readonly #context: DeliveryContext;
  #draining = false;
  #inFlight = 0;
  readonly #idle: Array<() => void> = [];

  constructor(host: RouterHost, options: RouterOptions = {}, report: (error: unknown) => void = () => {}) {
    this.#host = host;
    this.#options = resolveRouterOptions(options, report);
    const instance = instanceId();
    let sequence = 0;
    this.#context = {
      options: this.#options,
      waits: new Waits(this.#options.store),
      renewals: new Renewals(this.#options.store, this.#options.leaseMs, report),
      owner: () => `${instance}:${(sequence++).toString(36)}`,
      report,
      reportStore: throttled(report, STORE_REPORT_EVERY_MS),
    };
  }

  /** Adds a handler for one event type, or for several at once; handlers of a type run in order. */
  on<T extends WebhookEventType>(type: T | readonly T[], handler: RouteHandler<T>): this {
    for (const name of typeof type === "string" ? [type] : type) {
      const list = this.#routes.get(name) ?? [];
      list.push(handler as AnyHandler);
      this.#routes.set(name, list);
    }
    return this;
  }

  /** Handles every event no `on` matched, including event types newer than these types. */
  otherwise(handler: (event: WebhookEvent, info: RouteInfo) => unknown): this {
    this.#fallback = handler;
    return this;
  }

  /**
   * Runs the handlers for `event` through the store (bound, so it can be passed around as a function).
   * Resolves without calling them when the event was already handled; rejects with `WebhookBusyError` when
   * it could not start within `maxWaitMs` (the handlers answer that with 503, so Telnyx delivers it again).
   */
  readonly handle = async (event: WebhookEvent): Promise<void> => {
    const list = this.#routes.get(event.data.event_type);
    const fallback = this.#fallback;
    // Nothing would run: no claim, no turn, no store round trip.
    if (!list && !fallback) return;
    // Draining: nothing new is claimed here; Telnyx delivers it again, to another instance.
    if (this.#draining) {
      throw new WebhookBusyError(
        "draining",
        `This instance is draining (router.drain()): event ${event.data.id} (${event.data.event_type}) was not claimed, ` +
          "so that another instance handles it. Answered 503.",
      );
    }
    this.#inFlight++;
    // The webhook's span (when telemetry is enabled) learns whether the event was a duplicate
    // (its handlers never ran), how long it waited for its turn, and whether it came late.
    const turn = telemetry()?.routed(event);
    try {
      await deliver(event, this.#context, async (info) => {
        turn?.(info.late);
        if (!list) {
          await fallback?.(event, info);
          return;
        }
        for (const handler of list) await handler(event, info);
      });
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
    }
  };

  /**
   * Stops claiming events (each new delivery is answered 503 `draining`, so Telnyx delivers it to another
   * instance) and resolves once the deliveries in progress have ended, or after `timeoutMs` (default 30000)
   * with how many were still running. For a deploy: drain, then stop the server.
   */
  async drain(options: { timeoutMs?: number | undefined } = {}): Promise<{ unfinished: number }> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (typeof timeoutMs !== "number" || !(timeoutMs > 0) || timeoutMs > 2_147_483_647) {
      throw new RangeError(
        `router.drain({ timeoutMs }): a number of milliseconds from 1 to 2147483647, got ${String(timeoutMs)}`,
      );
    }
    this.#draining = true;
    if (this.#inFlight > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idle.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    return { unfinished: this.#inFlight };
  }

  /** A Fetch handler (Hono, Next.js, Workers, Deno, Bun) that verifies, then dispatches here. */
  fetchHandler(): (request: Request) => Promise<Response> {
    return this.#host.fetchHandler(this.handle);
  }

  /** A node:http / Express handler that verifies, then dispatches here. */
  nodeHandler<Req extends NodeRequestLike = NodeRequestLike, Res extends NodeResponseLike = NodeResponseLike>(): (
    req: Req,
    res: Res,
    next?: (error?: unknown) => void,
  ) => Promise<void> {
    return this.#host.nodeHandler<Req, Res>(this.handle);
  }
}
