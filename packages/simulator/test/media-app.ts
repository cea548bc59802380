// The app side of media streams in the simulator's tests: a plain `ws` WebSocketServer on loopback that keeps
// every frame of every connection, and G.711 decoders written from the standard (ITU-T G.711 tables 1a/2a, as
// the classic Sun reference code computes them), so the simulator is checked against neither its own codecs nor
// @telnyx-voice/media's.
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export interface Frame {
  event: string;
  sequence_number?: string;
  stream_id?: string;
  [key: string]: unknown;
}

export interface MediaFrameIn extends Frame {
  media: { track: string; chunk: string; timestamp: string; payload: string };
}

export interface AppConnection {
  socket: WebSocket;
  path: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  frames: Frame[];
  /** performance.now() at each frame's arrival. */
  at: number[];
  closed: Promise<number>;
  send(frame: unknown): void;
  media(track?: string): MediaFrameIn[];
  waitFor(predicate: (c: AppConnection) => boolean, what: string, timeoutMs?: number): Promise<void>;
}

export async function mediaApp() {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  const connections: AppConnection[] = [];
  wss.on("connection", (socket, req) => {
    const c: AppConnection = {
      socket,
      path: req.url,
      headers: req.headers,
      frames: [],
      at: [],
      closed: new Promise((resolve) => socket.once("close", (code) => resolve(code))),
      send: (frame) => socket.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
      media: (track) =>
        c.frames.filter(
          (f): f is MediaFrameIn =>
            f.event === "media" && (track === undefined || (f as MediaFrameIn).media.track === track),
        ),
      async waitFor(predicate, what, timeoutMs = 3000) {
        const deadline = Date.now() + timeoutMs;
        while (!predicate(c)) {
          if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} (${c.frames.length} frames)`);
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    };
    socket.on("message", (data) => {
      c.frames.push(JSON.parse(String(data)) as Frame);
      c.at.push(performance.now());
    });
    connections.push(c);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: (path: string) => `ws://127.0.0.1:${port}${path}`,
    async connection(path: string, timeoutMs = 3000): Promise<AppConnection> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = connections.find((c) => c.path === path);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no connection to ${path}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

export function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

export function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else if (segment === 1) t += 0x108;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

/** A media payload decoded by the test's own reference: PCMU, PCMA, or L16 (big-endian). */
export function decode(encoding: string, payload: string): Int16Array {
  const bytes = Buffer.from(payload, "base64");
  if (encoding === "L16") {
    const out = new Int16Array(bytes.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16BE(i * 2);
    return out;
  }
  const table = encoding === "PCMU" ? ulawToLinear : alawToLinear;
  return Int16Array.from(bytes, (b) => table(b));
}

/** A sine of `hz` at `rate`, `ms` long, amplitude `amp`. */
export function tone(hz: number, rate: number, ms: number, amp = 8000): Int16Array {
  return Int16Array.from({ length: Math.round((rate * ms) / 1000) }, (_, i) =>
    Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
}

/** Root mean square of a - b over their common length, relative to the RMS of a. */
export function relativeError(a: Int16Array, b: Int16Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    num += ((a[i] as number) - (b[i] as number)) ** 2;
    den += (a[i] as number) ** 2;
  }
  return Math.sqrt(num / den);
}

/** The samples of `frames` (each decoded) joined in chunk order. */
export function joined(encoding: string, frames: MediaFrameIn[]): Int16Array {
  const parts = [...frames]
    .sort((x, y) => Number(x.media.chunk) - Number(y.media.chunk))
    .map((f) => decode(encoding, f.media.payload));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The index of the first sample whose magnitude passes `threshold`, or -1. */
export function firstSound(samples: Int16Array, threshold = 500): number {
  return samples.findIndex((s) => Math.abs(s) > threshold);
}
