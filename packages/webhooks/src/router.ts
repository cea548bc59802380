import type { WebhookEvent, WebhookEventOf, WebhookEventType } from "./events.js";
import type { NodeRequestLike, NodeResponseLike } from "./handlers/node.js";

/** The handler factories of the `Webhooks` instance that made the router. */
export interface RouterHost {
  fetchHandler(onEvent: (event: WebhookEvent) => unknown): (request: Request) => Promise<Response>;
  nodeHandler<Req extends NodeRequestLike, Res extends NodeResponseLike>(
    onEvent: (event: WebhookEvent) => unknown,
  ): (req: Req, res: Res, next?: (error?: unknown) => void) => Promise<void>;
}

/** Handles one event type; receives the event narrowed to that type. */
export type RouteHandler<T extends WebhookEventType> = (event: WebhookEventOf<T>) => unknown;

/**
 * Dispatches events to handlers by `data.event_type`: `router.on("call.answered", (event) => ...)`.
 * Pass `router.handle` (or the router's own fetchHandler / nodeHandler) where an event handler goes.
 */
export class WebhookRouter {
  readonly #routes = new Map<string, Array<(event: WebhookEvent) => unknown>>();
  #fallback: ((event: WebhookEvent) => unknown) | undefined;
  readonly #host: RouterHost;

  constructor(host: RouterHost) {
    this.#host = host;
  }

  /** Adds a handler for one event type, or for several at once; handlers of a type run in order. */
  on<T extends WebhookEventType>(type: T | readonly T[], handler: RouteHandler<T>): this {
    for (const name of typeof type === "string" ? [type] : type) {
      const list = this.#routes.get(name) ?? [];
      list.push(handler as (event: WebhookEvent) => unknown);
      this.#routes.set(name, list);
    }
    return this;
  }

  /** Handles every event no `on` matched, including event types newer than these types. */
  otherwise(handler: (event: WebhookEvent) => unknown): this {
    this.#fallback = handler;
    return this;
  }

  /** Runs the handlers for `event` (bound, so it can be passed around as a function). */
  readonly handle = async (event: WebhookEvent): Promise<void> => {
    const list = this.#routes.get(event.data.event_type);
    if (!list) {
      await this.#fallback?.(event);
      return;
    }
    for (const handler of list) await handler(event);
  };

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
