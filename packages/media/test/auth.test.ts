// The stream auth token: refused before the upgrade on node:http (401, no WebSocket made), checked in the
// `connected` frame when a standard WebSocket comes without headers, compared in constant time, taken from
// TELNYX_STREAM_AUTH_TOKEN when not given, and never written into an error.
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { MediaStreamError } from "../src/errors.js";
import { MediaStreams } from "../src/node.js";
import { constantTimeEqual } from "../src/token.js";
import { FakeTelnyx, type MediaServer, mediaServer, TOKEN, within } from "./helpers.js";

let server: MediaServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Opens a WebSocket and resolves with the HTTP status it was refused with (or "open"). */
async function attempt(url: string, headers: Record<string, string>): Promise<number | "open"> {
  const socket = new WebSocket(url, { headers });
  socket.on("error", () => {});
  const result = await within(
    new Promise<number | "open">((resolve) => {
      socket.on("open", () => resolve("open"));
      socket.on("unexpected-response", (_req, res: IncomingMessage) => resolve(res.statusCode ?? 0));
    }),
    5000,
    "the upgrade's answer",
  );
  socket.terminate();
  return result;
}

describe("nodeUpgrade()", () => {
  test("answers 401 without upgrading when the token header is missing, wrong, or a prefix of the right one", async () => {
    server = await mediaServer();
    let handled = 0;
    server.media.handle(() => handled++);
    expect(await attempt(server.url, {})).toBe(401);
    expect(await attempt(server.url, { "x-telnyx-streaming-auth-token": "guess-123" })).toBe(401);
    expect(await attempt(server.url, { "x-telnyx-streaming-auth-token": TOKEN.slice(0, -1) })).toBe(401);
    expect(await attempt(server.url, { "x-telnyx-streaming-auth-token": `${TOKEN}x` })).toBe(401);
    expect(handled).toBe(0);
    expect(server.errors.map((e) => e.reason)).toEqual([
      "unauthorized",
      "unauthorized",
      "unauthorized",
      "unauthorized",
    ]);
    // Says how to fix it, never what the token is (nor what was guessed).
    for (const error of server.errors) {
      expect(error.message).toContain("stream_auth_token");
      expect(error.message).not.toContain(TOKEN.slice(0, 6));
      expect(error.message).not.toContain("guess-123");
    }
    expect(await attempt(server.url, { "x-telnyx-streaming-auth-token": TOKEN })).toBe("open");
  });

  test("leaves upgrades to other paths to the server's other listeners", async () => {
    server = await mediaServer();
    const seen: string[] = [];
    server.http.on("upgrade", (request: IncomingMessage, socket: { destroy(): void }) => {
      if (request.url !== "/media") {
        seen.push(request.url ?? "");
        socket.destroy();
      }
    });
    const other = new URL(server.url);
    other.pathname = "/elsewhere";
    const socket = new WebSocket(other.href, { headers: { "x-telnyx-streaming-auth-token": TOKEN } });
    // The other listener hung up: neither a 401 nor an upgrade from MediaStreams.
    const outcome = await within(
      new Promise<string>((resolve) => {
        socket.on("open", () => resolve("open"));
        socket.on("unexpected-response", () => resolve("refused"));
        socket.on("error", () => resolve("hung up"));
      }),
      5000,
      "the other path",
    );
    expect(outcome).toBe("hung up");
    expect(seen).toEqual(["/elsewhere"]);
    expect(server.errors).toEqual([]);
  });

  test("the right token reaches the handler with the typed start frame", async () => {
    server = await mediaServer();
    const started = new Promise<string>((resolve) =>
      server?.media.handle((stream) =>
        resolve(`${stream.start.start.call_control_id} ${stream.start.start.media_format.encoding}`),
      ),
    );
    const far = await FakeTelnyx.open(server.url);
    await far.begin();
    expect(await within(started, 5000, "the handler")).toBe("v3:media-test-call PCMU");
    far.close();
  });
});

describe("accept() of a standard WebSocket", () => {
  async function acceptingServer(media: MediaStreams, withHeaders: boolean) {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    wss.on("connection", (socket, request) => media.accept(socket, withHeaders ? { headers: request.headers } : {}));
    return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/` };
  }

  test("without headers, the token is read from the connected frame: a wrong one is closed 1008 before start", async () => {
    const errors: MediaStreamError[] = [];
    const media = new MediaStreams({ authToken: TOKEN, onError: (e) => errors.push(e) });
    let handled = 0;
    media.handle(() => handled++);
    const { wss, url } = await acceptingServer(media, false);
    try {
      const wrong = await FakeTelnyx.open(url, undefined);
      wrong.send({ event: "connected", version: "1.0.0", connected: { "x-telnyx-streaming-auth-token": "guess" } });
      wrong.send({
        event: "start",
        stream_id: "s",
        start: { call_control_id: "c", media_format: { encoding: "PCMU", sample_rate: 8000 } },
      });
      expect((await within(wrong.closed, 5000, "the close")).code).toBe(1008);

      const missing = await FakeTelnyx.open(url, undefined);
      missing.send({
        event: "start",
        stream_id: "s",
        start: { call_control_id: "c", media_format: { encoding: "PCMU", sample_rate: 8000 } },
      });
      expect((await within(missing.closed, 5000, "the close")).code).toBe(1008);
      expect(handled).toBe(0);

      const right = await FakeTelnyx.open(url, undefined);
      const started = new Promise<void>((resolve) => media.handle(() => resolve()));
      right.send({ event: "connected", version: "1.0.0", connected: { "x-telnyx-streaming-auth-token": TOKEN } });
      right.send({
        event: "start",
        stream_id: "s",
        start: { call_control_id: "c", media_format: { encoding: "PCMU", sample_rate: 8000 } },
      });
      await within(started, 5000, "the handler");
      expect(errors.map((e) => e.reason)).toEqual(["unauthorized", "unauthorized"]);
      for (const error of errors) expect(error.message).not.toContain("guess");
      right.close();
    } finally {
      await media.close();
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  test("with the upgrade's headers, a wrong header is closed at once; refusal() answers 401 for a Fetch upgrade", async () => {
    const media = new MediaStreams({ authToken: TOKEN, onError: () => {} });
    const { wss, url } = await acceptingServer(media, true);
    try {
      const wrong = await FakeTelnyx.open(url, "nope");
      expect((await within(wrong.closed, 5000, "the close")).code).toBe(1008);
    } finally {
      await media.close();
      await new Promise((resolve) => wss.close(resolve));
    }
    expect(media.refusal(new Headers({ "x-telnyx-streaming-auth-token": "nope" }))?.status).toBe(401);
    expect(media.refusal(new Headers())?.status).toBe(401);
    expect(media.refusal(new Headers({ "x-telnyx-streaming-auth-token": TOKEN }))).toBeUndefined();
  });
});

describe("the token's source and comparison", () => {
  test("TELNYX_STREAM_AUTH_TOKEN is the default; without any token MediaStreams refuses to start", () => {
    const saved = process.env.TELNYX_STREAM_AUTH_TOKEN;
    try {
      process.env.TELNYX_STREAM_AUTH_TOKEN = "from-env";
      const media = new MediaStreams({ onError: () => {} });
      expect(media.refusal({ "x-telnyx-streaming-auth-token": "from-env" })).toBeUndefined();
      expect(media.refusal({ "x-telnyx-streaming-auth-token": TOKEN })?.status).toBe(401);
      // An explicit token wins over the environment.
      expect(
        new MediaStreams({ authToken: TOKEN, onError: () => {} }).refusal({ "x-telnyx-streaming-auth-token": TOKEN }),
      ).toBeUndefined();
      delete process.env.TELNYX_STREAM_AUTH_TOKEN;
      const error = (() => {
        try {
          new MediaStreams();
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(MediaStreamError);
      expect((error as MediaStreamError).reason).toBe("missing_auth_token");
      expect((error as MediaStreamError).message).toContain("TELNYX_STREAM_AUTH_TOKEN");
      // Opting out is explicit.
      expect(new MediaStreams({ authToken: false }).refusal({})).toBeUndefined();
      expect(() => new MediaStreams({ authToken: "x".repeat(4001) })).toThrow(/4000/);
    } finally {
      if (saved === undefined) delete process.env.TELNYX_STREAM_AUTH_TOKEN;
      else process.env.TELNYX_STREAM_AUTH_TOKEN = saved;
    }
  });

  test("constantTimeEqual: equal only for the same bytes, whatever the lengths", () => {
    const b = (s: string) => new TextEncoder().encode(s);
    expect(constantTimeEqual(b("abc"), b("abc"))).toBe(true);
    expect(constantTimeEqual(b("abc"), b("abd"))).toBe(false);
    expect(constantTimeEqual(b("abc"), b("ab"))).toBe(false);
    expect(constantTimeEqual(b("abc"), b("abcabc"))).toBe(false); // cyclic reading of a longer guess
    expect(constantTimeEqual(b("abc"), b(""))).toBe(false);
    expect(constantTimeEqual(b(""), b(""))).toBe(true);
    expect(constantTimeEqual(b("aaa"), b("a"))).toBe(false); // a shorter guess repeated would match: lengths differ
  });
});
