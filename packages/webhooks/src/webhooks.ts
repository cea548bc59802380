import type { Ed25519Provider, Ed25519Verifier } from "./crypto/provider.js";
import { WebhookVerificationError } from "./errors.js";
import type { WebhookEvent } from "./events.js";
import { createFetchHandler, type FetchEventHandler } from "./handlers/fetch.js";
import {
  createNodeHandler,
  type NodeEventHandler,
  type NodeRequestLike,
  type NodeResponseLike,
} from "./handlers/node.js";
import type { ErrorReporter, RejectionReporter, Verification } from "./handlers/respond.js";
import type { WebhookHeaders } from "./headers.js";
import { resolveOptions, type WebhooksOptions } from "./options.js";
import { parseEvent } from "./parse.js";
import { decodePublicKey } from "./public-key.js";
import type { RouterOptions } from "./router/options.js";
import { WebhookRouter } from "./router/router.js";
import { telemetry } from "./telemetry.js";
import { checkHeaders, type RawBody, toBodyBytesOrString, verifyWith } from "./verify.js";

/** The shared implementation; each entry point (Node, Web) subclasses it with its default crypto. */
export class WebhooksBase {
  /** Seconds `telnyx-timestamp` may differ from now (1 to 3600). */
  readonly tolerance: number;
  /** Handlers: the largest body accepted, in bytes (strings count as UTF-8). */
  readonly maxBodyBytes: number;
  /** Handlers: milliseconds allowed for reading the whole body before answering 408. */
  readonly bodyTimeoutMs: number;
  readonly #provider: Ed25519Provider;
  readonly #verifier: Ed25519Verifier;
  readonly #onError: ErrorReporter;
  readonly #onRejected: RejectionReporter;

  protected constructor(options: WebhooksOptions, defaultCrypto: Ed25519Provider) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `new Webhooks() takes an options object, such as { publicKey }, got ${options === null ? "null" : `a ${typeof options}`}.`,
      );
    }
    const keyBytes = decodePublicKey(options.publicKey);
    const resolved = resolveOptions(options);
    this.tolerance = resolved.tolerance;
    this.maxBodyBytes = resolved.maxBodyBytes;
    this.bodyTimeoutMs = resolved.bodyTimeoutMs;
    this.#onError = resolved.onError;
    this.#onRejected = resolved.onRejected;
    const provider = options.crypto ?? defaultCrypto;
    this.#provider = provider;
    try {
      this.#verifier = provider.createVerifier(keyBytes);
    } catch (error) {
      throw new WebhookVerificationError(
        "invalid_public_key",
        `${provider.name} rejected the public key (${(error as Error).message}). Copy it from the Telnyx portal.`,
      );
    }
  }

  /**
   * The Ed25519 implementation that verifies: "node:crypto", "webcrypto" or "@noble/ed25519". With the auto
   * provider (the default outside Node) the choice is made at the first verification; until then this reads
   * "auto (...)".
   */
  get cryptoProvider(): string {
    return this.#verifier.implementation ?? this.#provider.name;
  }

  /** Checks the signature and timestamp of a webhook; rejects with a `WebhookVerificationError`. */
  verify(rawBody: RawBody, headers: WebhookHeaders): Promise<void> {
    return verifyWith(this.#verifier, rawBody, headers, this.tolerance);
  }

  /** Verifies, then parses the body into a typed event (narrow it on `event.data.event_type`, or with `isEventType`). */
  async unwrap(rawBody: RawBody, headers: WebhookHeaders): Promise<WebhookEvent> {
    await verifyWith(this.#verifier, rawBody, headers, this.tolerance);
    return parseEvent(toBodyBytesOrString(rawBody));
  }

  /** A `(request: Request) => Promise<Response>` for Hono, Next.js route handlers, Workers, Deno, Bun. */
  fetchHandler(onEvent: FetchEventHandler): (request: Request) => Promise<Response> {
    const args = [this.#verification(), onEvent, this, this.#onError, this.#onRejected] as const;
    return telemetry()?.fetchHandler(createFetchHandler, ...args) ?? createFetchHandler(...args);
  }

  /**
   * A `(req, res, next?)` handler for node:http and Express. Reads the raw body itself, or takes it from
   * `express.raw({ type: "application/json" })`; a JSON parser before it is answered with 500 and a hint.
   */
  nodeHandler<Req extends NodeRequestLike = NodeRequestLike, Res extends NodeResponseLike = NodeResponseLike>(
    onEvent: NodeEventHandler<Req, Res>,
  ): (req: Req, res: Res, next?: (error?: unknown) => void) => Promise<void> {
    const args = [this.#verification(), onEvent as NodeEventHandler, this, this.#onError, this.#onRejected] as const;
    return telemetry()?.nodeHandler(createNodeHandler, ...args) ?? createNodeHandler<Req, Res>(...args);
  }

  /** For the handlers: `unwrap`, and its checks of the headers alone, allowing for the time the body may take. */
  #verification(): Verification<RawBody, WebhookHeaders> {
    const laterSeconds = Math.ceil(this.bodyTimeoutMs / 1000);
    return {
      checkHeaders: (headers) => {
        checkHeaders(headers, this.tolerance, laterSeconds);
      },
      unwrap: (body, headers) => this.unwrap(body, headers),
    };
  }

  /**
   * A router that hands each event, narrowed, to the handler registered for its type: exactly once per
   * event, one at a time per call, in `occurred_at` order within `reorderWindowMs`, through `store` (default
   * a fresh `memoryStore()`; `redisStore` from `@telnyx-voice/redis` across instances). Options out of range
   * throw here.
   */
  router(options: RouterOptions = {}): WebhookRouter {
    return new WebhookRouter(this, options, this.#onError);
  }
}
