import { decodeBase64 } from "./base64.js";
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
import { DEFAULT_MAX_BODY_BYTES, type ErrorReporter, reportToConsole } from "./handlers/respond.js";
import type { WebhookHeaders } from "./headers.js";
import { parseEvent } from "./parse.js";
import { WebhookRouter } from "./router.js";
import { type RawBody, toBodyBytesOrString, verifyWith } from "./verify.js";

export interface WebhooksOptions {
  /** Base64 Ed25519 public key from the Telnyx portal. Default: the `TELNYX_PUBLIC_KEY` environment variable. */
  publicKey?: string | undefined;
  /** How far (seconds) `telnyx-timestamp` may be from now, either way. Default 300. */
  tolerance?: number | undefined;
  /** Handlers only: the largest body accepted (bytes); larger bodies get 413. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Handlers only: receives errors thrown by your event handler (answered with 500). Default: console.error. */
  onError?: ((error: unknown) => void) | undefined;
  /** Overrides the Ed25519 implementation chosen for this runtime. Rarely needed. */
  crypto?: Ed25519Provider | undefined;
}

function envPublicKey(): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TELNYX_PUBLIC_KEY;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new RangeError(`Webhooks: \`${name}\` must be a number >= 0, got ${String(value)}`);
  }
  return value;
}

/** The shared implementation; each entry point (Node, Web) subclasses it with its default crypto. */
export class WebhooksBase {
  /** Seconds `telnyx-timestamp` may differ from now. */
  readonly tolerance: number;
  readonly maxBodyBytes: number;
  /** Which Ed25519 implementation verifies: "node:crypto", "webcrypto", "@noble/ed25519", ... */
  readonly cryptoProvider: string;
  readonly #verifier: Ed25519Verifier;
  readonly #onError: ErrorReporter;

  protected constructor(options: WebhooksOptions, defaultCrypto: Ed25519Provider) {
    const publicKey = options.publicKey ?? envPublicKey();
    if (publicKey === undefined || (typeof publicKey === "string" && publicKey.trim() === "")) {
      throw new WebhookVerificationError(
        "missing_public_key",
        "No public key: pass new Webhooks({ publicKey }) or set TELNYX_PUBLIC_KEY, using the base64 key from the " +
          "Telnyx portal (Account Settings > Keys & Credentials > Public Key).",
      );
    }
    // A Buffer or number passed by mistake gets the same clear error as a malformed string.
    const keyBytes = typeof publicKey === "string" ? decodeBase64(publicKey.trim()) : undefined;
    if (keyBytes?.length !== 32) {
      throw new WebhookVerificationError(
        "invalid_public_key",
        `The public key must be base64 of a 32-byte Ed25519 key (44 characters), but it ${
          typeof publicKey !== "string"
            ? `is a ${typeof publicKey}, not a string`
            : keyBytes === undefined
              ? "is not base64"
              : `decodes to ${keyBytes.length} bytes`
        }. Copy it from the Telnyx portal (Account Settings > Keys & Credentials > Public Key).`,
      );
    }
    this.tolerance = nonNegative("tolerance", options.tolerance, 300);
    this.maxBodyBytes = nonNegative("maxBodyBytes", options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
    this.#onError = options.onError ?? reportToConsole;
    const provider = options.crypto ?? defaultCrypto;
    this.cryptoProvider = provider.name;
    try {
      this.#verifier = provider.createVerifier(keyBytes);
    } catch (error) {
      throw new WebhookVerificationError(
        "invalid_public_key",
        `${provider.name} rejected the public key (${(error as Error).message}). Copy it from the Telnyx portal.`,
      );
    }
  }

  /** Checks the signature and timestamp of a webhook; rejects with a `WebhookVerificationError`. */
  verify(rawBody: RawBody, headers: WebhookHeaders): Promise<void> {
    return verifyWith(this.#verifier, rawBody, headers, this.tolerance);
  }

  /** Verifies, then parses the body into a typed event (narrow it on `event.data.event_type`). */
  async unwrap(rawBody: RawBody, headers: WebhookHeaders): Promise<WebhookEvent> {
    await verifyWith(this.#verifier, rawBody, headers, this.tolerance);
    return parseEvent(toBodyBytesOrString(rawBody));
  }

  /** A `(request: Request) => Promise<Response>` for Hono, Next.js route handlers, Workers, Deno, Bun. */
  fetchHandler(onEvent: FetchEventHandler): (request: Request) => Promise<Response> {
    return createFetchHandler((body, headers) => this.unwrap(body, headers), onEvent, this.maxBodyBytes, this.#onError);
  }

  /**
   * A `(req, res, next?)` handler for node:http and Express. Reads the raw body itself, or takes it from
   * `express.raw({ type: "application/json" })`; a JSON parser before it is answered with 500 and a hint.
   */
  nodeHandler<Req extends NodeRequestLike = NodeRequestLike, Res extends NodeResponseLike = NodeResponseLike>(
    onEvent: NodeEventHandler<Req, Res>,
  ): (req: Req, res: Res, next?: (error?: unknown) => void) => Promise<void> {
    return createNodeHandler((body, headers) => this.unwrap(body, headers), onEvent, this.maxBodyBytes, this.#onError);
  }

  /** A router that hands each event, narrowed, to the handler registered for its type. */
  router(): WebhookRouter {
    return new WebhookRouter(this);
  }
}
