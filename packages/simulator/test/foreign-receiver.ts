// A webhook receiver that is not ours: a plain node:http server that checks every delivery twice, with the
// official `telnyx` SDK's TelnyxWebhook and independently with raw node:crypto, as a new user would write it.
// It accepts (200) only when both agree the signature is good; a failure in either is recorded, not hidden.
import { createPublicKey, verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { TelnyxWebhook } from "telnyx/lib/webhooks";

export interface ForeignEvent {
  data: { event_type: string; id: string; occurred_at: string; record_type: string; payload: Record<string, unknown> };
  meta: { attempt: number; delivered_to: string };
}

export interface Verdict {
  /** TelnyxWebhook.verify resolved. */
  sdk: boolean;
  /** node:crypto Ed25519 verify of `${timestamp}|${body}` returned true. */
  crypto: boolean;
  /** The SDK's error message when it rejected (never contains a key: it names the failed check). */
  sdkError?: string;
}

export interface ForeignReceiver {
  url: string;
  events: ForeignEvent[];
  verdicts: Verdict[];
  waitFor(predicate: (events: ForeignEvent[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  typesOf(callControlId: string): string[];
  close(): Promise<void>;
}

// RFC 8410 SPKI header for an Ed25519 public key: node:crypto wants the raw 32 bytes wrapped in it.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function cryptoVerify(
  publicKeyBase64: string,
  body: string,
  timestamp: string,
  signatureBase64: string,
): boolean {
  const key = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(publicKeyBase64, "base64")]),
    format: "der",
    type: "spki",
  });
  return verify(null, Buffer.from(`${timestamp}|${body}`), key, Buffer.from(signatureBase64, "base64"));
}

/** Flattens node's headers to the `Record<string, string>` TelnyxWebhook.verify takes. */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export async function startForeignReceiver(publicKey: () => string): Promise<ForeignReceiver> {
  const events: ForeignEvent[] = [];
  const verdicts: Verdict[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = flatHeaders(req.headers);
      const verdict: Verdict = { sdk: false, crypto: false };
      try {
        await new TelnyxWebhook(publicKey()).verify(body, headers);
        verdict.sdk = true;
      } catch (error) {
        verdict.sdkError = error instanceof Error ? error.message : String(error);
      }
      try {
        verdict.crypto = cryptoVerify(
          publicKey(),
          body,
          headers["telnyx-timestamp"] ?? "",
          headers["telnyx-signature-ed25519"] ?? "",
        );
      } catch {
        verdict.crypto = false;
      }
      verdicts.push(verdict);
      if (!verdict.sdk || !verdict.crypto) {
        res.writeHead(400).end();
        return;
      }
      events.push(JSON.parse(body) as ForeignEvent);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const receiver: ForeignReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/telnyx`,
    events,
    verdicts,
    async waitFor(predicate, what, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) {
          throw new Error(
            `Timed out waiting for ${what}; received: ${events.map((e) => e.data.event_type).join(", ")}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    typesOf: (id) =>
      events.filter((e) => e.data.payload.call_control_id === id && e.meta.attempt === 1).map((e) => e.data.event_type),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
