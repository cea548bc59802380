// A real node:http server with media.nodeUpgrade() on loopback, and a stand-in for Telnyx: a real `ws` client
// that opens the stream as Telnyx does (the token header, then `connected`, `start`, frames) and records what
// the app sends back.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import type { MediaStreamError } from "../src/errors.js";
import { MediaStreams, type MediaStreamsOptions } from "../src/node.js";

export const TOKEN = "s3cr3t-stream-token";
export const CALL = "v3:media-test-call";

/** Resolves with the value, or rejects after `ms` saying what it waited for: every wait in these tests is bounded. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 5 ms until it is true, for at most `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface MediaServer {
  media: MediaStreams;
  http: Server;
  url: string;
  errors: MediaStreamError[];
  close(): Promise<void>;
}

/** MediaStreams on a node:http server's upgrade event, on a free loopback port. */
export async function mediaServer(options: MediaStreamsOptions = {}): Promise<MediaServer> {
  const errors: MediaStreamError[] = [];
  const media = new MediaStreams({ authToken: TOKEN, onError: (error) => errors.push(error), ...options });
  const server: Server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  server.on("upgrade", media.nodeUpgrade({ path: "/media" }));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    media,
    http: server,
    url: `ws://127.0.0.1:${port}/media`,
    errors,
    async close() {
      await within(media.close(), 5000, "media.close()");
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface StartOptions {
  streamId?: string;
  callControlId?: string;
  encoding?: string;
  sampleRate?: number;
}

export function startFrame(options: StartOptions = {}): Record<string, unknown> {
  return {
    event: "start",
    sequence_number: "1",
    stream_id: options.streamId ?? "32DE0DEA-53CB-4B21-89A4-9E1819C043BC",
    start: {
      user_id: "3E6F995F-85F7-4705-9741-53B116D28237",
      call_control_id: options.callControlId ?? CALL,
      call_session_id: "ff55a038-6f5d-11ef-9692-02420aeffb1f",
      from: "+13122010094",
      to: "+13122123456",
      tags: ["TAG1"],
      client_state: "aGF2ZSBhIG5pY2UgZGF5ID1d",
      custom_parameters: { customer_id: "customer_123" },
      media_format: { encoding: options.encoding ?? "PCMU", sample_rate: options.sampleRate ?? 8000, channels: 1 },
    },
  };
}

/** A media frame as Telnyx sends it: counters as strings of digits. */
export function mediaFrame(n: number, payload: Uint8Array, track = "inbound"): Record<string, unknown> {
  return {
    event: "media",
    sequence_number: String(n + 1),
    stream_id: "32DE0DEA-53CB-4B21-89A4-9E1819C043BC",
    media: { track, chunk: String(n), timestamp: String(n * 20), payload: Buffer.from(payload).toString("base64") },
  };
}

/** The far side: a `ws` client as Telnyx opens it, recording the frames the app sends. */
export class FakeTelnyx {
  readonly socket: WebSocket;
  readonly received: Array<Record<string, unknown>> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #listeners = new Set<() => void>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data) => {
      this.received.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const listener of this.#listeners) listener();
    });
    this.closed = new Promise((resolve) =>
      socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens the socket with the token header (or none, or another); resolves once open or with the refusal. */
  static async open(url: string, token: string | undefined = TOKEN): Promise<FakeTelnyx> {
    const headers: Record<string, string> = token === undefined ? {} : { "x-telnyx-streaming-auth-token": token };
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    const far = new FakeTelnyx(socket);
    await within(once(socket, "open"), 5000, "the WebSocket to open");
    return far;
  }

  /** `connected` then `start`, as Telnyx opens every stream. */
  async begin(start: StartOptions = {}): Promise<void> {
    this.send({ event: "connected", version: "1.0.0" });
    this.send(startFrame(start));
  }

  send(frame: Record<string, unknown> | string): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Waits until the app has sent `count` frames of this event. */
  async waitFor(event: string, count: number, ms = 5000): Promise<Array<Record<string, unknown>>> {
    const matching = () => this.received.filter((frame) => frame.event === event);
    if (matching().length >= count) return matching();
    await within(
      new Promise<void>((resolve) => {
        const listener = () => {
          if (matching().length >= count) {
            this.#listeners.delete(listener);
            resolve();
          }
        };
        this.#listeners.add(listener);
      }),
      ms,
      `${count} ${event} frame(s) from the app (got ${matching().length})`,
    );
    return matching();
  }

  close(): void {
    this.socket.close(1000, "done");
  }
}

/** A sine wave of 16-bit samples. */
export function sine(frequency: number, sampleRate: number, count: number, amplitude = 10000): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate));
  return out;
}

export function rms(samples: Int16Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] as number) ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}
