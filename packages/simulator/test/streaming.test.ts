// Media streams as Telnyx opens them: a real WebSocket to the app's `stream_url` (here a `ws` WebSocketServer on
// loopback), with `stream_auth_token` in the `x-telnyx-streaming-auth-token` header. `streaming.started` when it
// connects; `streaming.failed` when it cannot (a closed port, a 403 to the upgrade, a URL that is not ws(s), no
// handshake in time); `streaming.stopped` on streaming_stop, the hangup, or the server closing it; every socket
// closed by sim.stop(). Webhooks are received signed on loopback and checked against the spec (README: Streaming).
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { eventValidator, type Simulator, startSimulator } from "../src/index.js";
import { type Api, api, type DialData, type ReceivedEvent, type Receiver, startReceiver } from "./helpers.js";

const CONNECT_TIMEOUT_MS = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Connection {
  socket: WebSocket;
  /** The path the simulator connected to. */
  path: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  at: number;
  messages: number;
  /** The close code, once the simulator (or the test) closed it. */
  closed: Promise<number>;
}

/** A WebSocket server on loopback that records each connection the simulator opens. */
async function streamServer() {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  const connections: Connection[] = [];
  wss.on("connection", (socket, req) => {
    const connection: Connection = {
      socket,
      path: req.url,
      headers: req.headers,
      at: Date.now(),
      messages: 0,
      closed: new Promise((resolve) => socket.once("close", (code) => resolve(code))),
    };
    socket.on("message", () => connection.messages++);
    connections.push(connection);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: (path: string) => `ws://127.0.0.1:${port}${path}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: a server is bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An HTTP server that answers every WebSocket upgrade with 403. */
async function forbiddingServer(): Promise<{ url: string; server: HttpServer }> {
  const server = createHttpServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (_req, socket) => {
    socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/stream`, server };
}

/** A TCP server that accepts and never answers: the handshake never completes. */
async function silentServer(): Promise<{ url: string; server: NetServer; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => {
    sockets.push(socket);
    // Read (and drop) the upgrade request, so the socket sees the simulator close it.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/stream`, server, sockets };
}

let sim: Simulator;
let receiver: Receiver;
let call: Api;
let streams: Awaited<ReturnType<typeof streamServer>>;
const warnings: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver(() => sim.publicKey);
  streams = await streamServer();
  sim = await startSimulator({
    webhookUrl: receiver.url,
    answerDelayMs: 30,
    streamConnectTimeoutMs: CONNECT_TIMEOUT_MS,
    logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
  });
  call = api(sim);
});
afterAll(async () => {
  await sim.stop();
  await streams.close();
  await receiver.close();
});

afterEach(async () => {
  await sim.idle();
  expect(receiver.rejected).toBe(0);
  for (const event of receiver.events) {
    const validate = eventValidator(event.data.event_type);
    expect(validate(event), `${event.data.event_type}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const act = (id: string, action: string, body: Record<string, unknown> = {}) =>
  call<{ errors?: Array<{ code: string; source?: { pointer?: string } }> }>(
    "POST",
    `/calls/${encodeURIComponent(id)}/actions/${action}`,
    body,
  );

async function dial(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call<DialData>("POST", "/calls", {
    connection_id: "stream",
    from: "+12025550100",
    to: "+12025550111",
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.call_control_id;
}

async function answered(extra: Record<string, unknown> = {}): Promise<string> {
  const id = await dial(extra);
  await waitEvent(id, "call.answered");
  return id;
}

const eventsOf = (id: string): ReceivedEvent[] =>
  receiver.events.filter((e) => e.data.payload.call_control_id === id && e.meta.attempt === 1);
const eventOf = (id: string, type: string) => eventsOf(id).find((e) => e.data.event_type === type);
const waitEvent = (id: string, type: string, count = 1) =>
  receiver.waitFor(
    () => eventsOf(id).filter((e) => e.data.event_type === type).length >= count,
    `${type} x${count} on ${id}`,
  );
/** The connection the simulator opened to `path`, once it is there. */
async function connectionTo(path: string): Promise<Connection> {
  await receiver.waitFor(() => streamsAt(path).length > 0, `a WebSocket connection to ${path}`);
  return streamsAt(path)[0]!;
}
const streamsAt = (path: string) => streams.connections.filter((c) => c.path === path);

describe("a stream that connects", () => {
  it("streaming_start opens a WebSocket with the auth token header: streaming.started; streaming_stop closes it: streaming.stopped", async () => {
    const id = await answered();
    const url = streams.url("/start");
    const res = await act(id, "streaming_start", {
      stream_url: url,
      stream_auth_token: "token-123",
      client_state: "c3RyZWFt",
    });
    expect(res.status).toBe(200);
    const connection = await connectionTo("/start");
    expect(connection.headers["x-telnyx-streaming-auth-token"]).toBe("token-123");
    await waitEvent(id, "streaming.started");
    const c = sim.calls.get(id)!;
    expect(eventOf(id, "streaming.started")?.data.payload).toEqual({
      call_control_id: id,
      call_leg_id: c.callLegId,
      call_session_id: c.callSessionId,
      connection_id: "stream",
      client_state: "c3RyZWFt",
      stream_url: url,
    });
    expect((await act(id, "streaming_stop")).status).toBe(200);
    expect(await connection.closed).toBe(1000);
    await waitEvent(id, "streaming.stopped");
    expect(eventOf(id, "streaming.stopped")?.data.payload).toMatchObject({ stream_url: url });
    // connected and start at least (media-stream.test.ts checks the frames themselves).
    expect(connection.messages).toBeGreaterThanOrEqual(2);
    await act(id, "hangup");
    await waitEvent(id, "call.hangup");
    expect(receiver.ofCall(id)).toEqual([
      "call.initiated",
      "call.answered",
      "streaming.started",
      "streaming.stopped",
      "call.hangup",
    ]);
  });

  it("dial's stream_url connects once the far end answers; the hangup closes it, streaming.stopped before call.hangup", async () => {
    const url = streams.url("/dial");
    const id = await dial({ stream_url: url, stream_auth_token: "dial-token" });
    const connection = await connectionTo("/dial");
    expect(connection.headers["x-telnyx-streaming-auth-token"]).toBe("dial-token");
    await waitEvent(id, "streaming.started");
    expect(connection.at).toBeGreaterThanOrEqual(Date.parse(eventOf(id, "call.answered")!.data.occurred_at));
    sim.calls.get(id)?.hangup();
    expect(await connection.closed).toBe(1000);
    await waitEvent(id, "call.hangup");
    expect(receiver.ofCall(id)).toEqual([
      "call.initiated",
      "call.answered",
      "streaming.started",
      "streaming.stopped",
      "call.hangup",
    ]);
  });

  it("stream_establish_before_call_originate connects as the call is placed, before the answer", async () => {
    // A far end that takes 500 ms to answer: the connection, on loopback, is made long before.
    let ringing: Simulator | undefined;
    const own = await startReceiver(() => ringing!.publicKey);
    ringing = await startSimulator({ webhookUrl: own.url, answerDelayMs: 500 });
    try {
      const res = await api(ringing)<DialData>("POST", "/calls", {
        connection_id: "stream",
        from: "+12025550100",
        to: "+12025550111",
        stream_url: streams.url("/early"),
        stream_establish_before_call_originate: true,
      });
      const id = res.body.data.call_control_id;
      await connectionTo("/early");
      await own.waitFor((evs) => evs.some((e) => e.data.event_type === "call.answered"), "call.answered");
      expect(own.ofCall(id)).toEqual(["call.initiated", "streaming.started", "call.answered"]);
      await ringing.idle();
      for (const event of own.events) expect(eventValidator(event.data.event_type)(event)).toBe(true);
    } finally {
      await ringing.stop();
      await own.close();
    }
  });

  it("answer's stream_url connects once the inbound call is answered", async () => {
    const inbound = sim.inboundCall({ from: "+12025550142", to: "+12025550100", connectionId: "stream" });
    const id = inbound.callControlId;
    expect((await act(id, "answer", { stream_url: streams.url("/answer") })).status).toBe(200);
    const connection = await connectionTo("/answer");
    expect(connection.headers["x-telnyx-streaming-auth-token"]).toBeUndefined();
    await waitEvent(id, "streaming.started");
    expect(receiver.ofCall(id)).toEqual(["call.initiated", "call.answered", "streaming.started"]);
    await act(id, "hangup");
  });

  it("the server closing the socket gives streaming.stopped", async () => {
    const id = await answered();
    await act(id, "streaming_start", { stream_url: streams.url("/server-closes") });
    const connection = await connectionTo("/server-closes");
    await waitEvent(id, "streaming.started");
    connection.socket.close(1000);
    await waitEvent(id, "streaming.stopped");
    // Stopped once: the hangup has no stream left to stop.
    await act(id, "hangup");
    await waitEvent(id, "call.hangup");
    expect(receiver.ofCall(id).filter((t) => t.startsWith("streaming."))).toEqual([
      "streaming.started",
      "streaming.stopped",
    ]);
  });

  it("streaming_stop without a stream_id stops every stream of the call; with none running it is a no-op", async () => {
    const id = await answered();
    await act(id, "streaming_start", { stream_url: streams.url("/two") });
    await act(id, "streaming_start", { stream_url: streams.url("/two") });
    await waitEvent(id, "streaming.started", 2);
    expect((await act(id, "streaming_stop")).status).toBe(200);
    await waitEvent(id, "streaming.stopped", 2);
    for (const connection of streamsAt("/two")) expect(await connection.closed).toBe(1000);
    expect((await act(id, "streaming_stop")).status).toBe(200);
    await act(id, "hangup");
    await waitEvent(id, "call.hangup");
    expect(eventsOf(id).filter((e) => e.data.event_type === "streaming.stopped")).toHaveLength(2);
  });
});

describe("a stream that cannot connect: streaming.failed", () => {
  it("a closed port: failure_reason, stream_id, stream_params and stream_type as the spec declares them; said once in the log", async () => {
    const id = await answered();
    const url = `ws://127.0.0.1:${await closedPort()}/refused`;
    expect((await act(id, "streaming_start", { stream_url: url, stream_track: "both_tracks" })).status).toBe(200);
    await waitEvent(id, "streaming.failed");
    const c = sim.calls.get(id)!;
    const payload = eventOf(id, "streaming.failed")?.data.payload;
    expect(payload).toEqual({
      call_control_id: id,
      call_leg_id: c.callLegId,
      call_session_id: c.callSessionId,
      connection_id: "stream",
      failure_reason: "connection_failed",
      stream_id: expect.stringMatching(UUID),
      stream_params: { stream_url: url, track: "both_tracks" },
      stream_type: "websocket",
    });
    expect(warnings.filter((w) => w.includes(url))).toEqual([expect.stringMatching(/ECONNREFUSED/)]);
    // The failed stream is over: stopping it by its id is refused.
    const stop = await act(id, "streaming_stop", { stream_id: payload?.stream_id });
    expect(stop.status).toBe(422);
    expect(stop.body.errors?.[0]).toMatchObject({ code: "10015", source: { pointer: "/stream_id" } });
    await act(id, "hangup");
    await waitEvent(id, "call.hangup");
    expect(receiver.ofCall(id)).toEqual(["call.initiated", "call.answered", "streaming.failed", "call.hangup"]);
  });

  it("a server answering the upgrade with 403", async () => {
    const { url, server } = await forbiddingServer();
    try {
      const id = await answered();
      await act(id, "streaming_start", { stream_url: url });
      await waitEvent(id, "streaming.failed");
      expect(eventOf(id, "streaming.failed")?.data.payload).toMatchObject({ failure_reason: "connection_failed" });
      expect(warnings.find((w) => w.includes(url))).toMatch(/403/);
      expect(receiver.ofCall(id)).not.toContain("streaming.started");
      await act(id, "hangup");
    } finally {
      server.close();
    }
  });

  it.each([
    ["an http URL", "http://127.0.0.1:9/stream"],
    ["not a URL", "not a url"],
  ])("%s: the command is answered, then streaming.failed", async (_what, url) => {
    const id = await answered();
    expect((await act(id, "streaming_start", { stream_url: url })).status).toBe(200);
    await waitEvent(id, "streaming.failed");
    expect(eventOf(id, "streaming.failed")?.data.payload).toMatchObject({ stream_params: { stream_url: url } });
    await act(id, "hangup");
  });

  it("no handshake within streamConnectTimeoutMs: the attempt is dropped and reported", async () => {
    const { url, server, sockets } = await silentServer();
    try {
      const id = await answered();
      const sent = Date.now();
      await act(id, "streaming_start", { stream_url: url });
      await waitEvent(id, "streaming.failed");
      expect(Date.now() - sent).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 5);
      expect(warnings.find((w) => w.includes(url))).toMatch(new RegExp(`within ${CONNECT_TIMEOUT_MS} ms`));
      await receiver.waitFor(() => sockets.length === 1 && sockets[0]!.destroyed, "the attempt's socket closed");
      await act(id, "hangup");
    } finally {
      server.close();
    }
  });

  it("the call hangs up while the stream is still connecting: streaming.stopped (no started), then call.hangup", async () => {
    const { url, server, sockets } = await silentServer();
    try {
      const id = await answered();
      await act(id, "streaming_start", { stream_url: url });
      await receiver.waitFor(() => sockets.length === 1, "the connection attempt");
      await act(id, "hangup");
      await waitEvent(id, "call.hangup");
      await sleep(CONNECT_TIMEOUT_MS + 50);
      await sim.idle();
      expect(receiver.ofCall(id)).toEqual(["call.initiated", "call.answered", "streaming.stopped", "call.hangup"]);
      await receiver.waitFor(() => sockets[0]!.destroyed, "the attempt's socket closed");
    } finally {
      server.close();
    }
  });
});

describe("bad commands", () => {
  it("streaming_start without stream_url, streaming_stop with an unknown stream_id: 422 naming the field", async () => {
    const id = await answered();
    const start = await act(id, "streaming_start", {});
    expect(start.status).toBe(422);
    expect(start.body.errors?.[0]).toMatchObject({ code: "10015", source: { pointer: "/stream_url" } });
    const stop = await act(id, "streaming_stop", { stream_id: "5b4e4c1a-1111-4a1a-9c1a-1a1a1a1a1a1a" });
    expect(stop.status).toBe(422);
    await act(id, "hangup");
  });
});

describe("sim.stop()", () => {
  it("closes open streams and abandons connection attempts, and reports nothing after", async () => {
    const { url: silentUrl, server, sockets } = await silentServer();
    let brief: Simulator | undefined;
    const own = await startReceiver(() => brief!.publicKey);
    brief = await startSimulator({ webhookUrl: own.url, answerDelayMs: 5, logger: { warn() {}, error() {} } });
    try {
      const briefCall = api(brief);
      const res = await briefCall<DialData>("POST", "/calls", {
        connection_id: "stream",
        from: "+12025550100",
        to: "+12025550111",
        stream_url: streams.url("/stop-sim"),
      });
      const id = res.body.data.call_control_id;
      const open = await connectionTo("/stop-sim");
      await own.waitFor((evs) => evs.some((e) => e.data.event_type === "streaming.started"), "streaming.started");
      await briefCall("POST", `/calls/${id}/actions/streaming_start`, { stream_url: silentUrl });
      await own.waitFor(() => sockets.length === 1, "the second attempt");
      const before = own.events.length;
      await brief.stop();
      await open.closed;
      await receiver.waitFor(() => sockets[0]!.destroyed, "the attempt's socket closed");
      await sleep(50);
      expect(own.events.length).toBe(before);
    } finally {
      await brief.stop();
      await own.close();
      server.close();
    }
  });
});
