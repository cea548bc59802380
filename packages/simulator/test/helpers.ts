// Test helpers: an independent webhook receiver (node:crypto Ed25519, not our webhooks package, so the
// signatures are checked the way any third-party receiver would) and a thin fetch wrapper for the API.
import { createPublicKey, verify } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_API_KEY, type Simulator } from "../src/index.js";

export interface ReceivedEvent {
  data: { event_type: string; id: string; occurred_at: string; record_type: string; payload: Record<string, unknown> };
  meta: { attempt: number; delivered_to: string };
}

// DER prefix of an SPKI-wrapped Ed25519 public key (RFC 8410): node:crypto needs it around the raw 32 bytes.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function verifySignature(publicKey: string, body: string, timestamp: string, signature: string): boolean {
  const key = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, Buffer.from(publicKey, "base64")]),
    format: "der",
    type: "spki",
  });
  return verify(null, Buffer.from(`${timestamp}|${body}`), key, Buffer.from(signature, "base64"));
}

export interface Receiver {
  url: string;
  /** Verified events, in arrival order (redeliveries included). */
  events: ReceivedEvent[];
  /** Deliveries whose signature did not verify. */
  rejected: number;
  /** Decides the status for each delivery (default 200). */
  respond: (event: ReceivedEvent) => number;
  waitFor(predicate: (events: ReceivedEvent[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  ofCall(callControlId: string): string[];
  close(): Promise<void>;
}

export async function startReceiver(publicKey: () => string): Promise<Receiver> {
  let server: Server | undefined;
  const receiver: Receiver = {
    url: "",
    events: [],
    rejected: 0,
    respond: () => 200,
    async waitFor(predicate, what, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver.events)) {
        if (Date.now() > deadline) {
          const seen = receiver.events.map((e) => e.data.event_type).join(", ");
          throw new Error(`Timed out waiting for ${what}; received: ${seen}`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    ofCall(id) {
      return receiver.events
        .filter((e) => e.data.payload.call_control_id === id && e.meta.attempt === 1)
        .map((e) => e.data.event_type);
    },
    close: () => new Promise((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const ts = String(req.headers["telnyx-timestamp"] ?? "");
      const sig = String(req.headers["telnyx-signature-ed25519"] ?? "");
      if (!verifySignature(publicKey(), body, ts, sig)) {
        receiver.rejected++;
        res.writeHead(401).end();
        return;
      }
      const event = JSON.parse(body) as ReceivedEvent;
      const status = receiver.respond(event);
      receiver.events.push(event);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return receiver;
}

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Requests to the API (`/v2` + path); with `base: "far end"`, to the far-end control routes (`/_simulator` + path). */
export function api(sim: Simulator, apiKey = DEFAULT_API_KEY, base: "api" | "far end" = "api") {
  const root = base === "api" ? sim.url : sim.url.replace(/\/v2$/, "/_simulator");
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> => {
    const res = await fetch(root + path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  };
}

export type Api = ReturnType<typeof api>;

export interface DialData {
  data: { call_control_id: string; call_leg_id: string; call_session_id: string };
}

/** Dials and waits until the far end answers (call.answered received). */
export async function dialAnswered(call: Api, receiver: Receiver, extra: Record<string, unknown> = {}) {
  const res = await call<DialData>("POST", "/calls", {
    connection_id: "conn-1",
    from: "+12025550100",
    to: "+12025550111",
    ...extra,
  });
  if (res.status !== 200) throw new Error(`dial failed: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.data.call_control_id;
  await receiver.waitFor(
    (evs) => evs.some((e) => e.data.event_type === "call.answered" && e.data.payload.call_control_id === id),
    `call.answered for ${id}`,
  );
  return id;
}
