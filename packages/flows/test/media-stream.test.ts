// call.mediaStream(): a flow gets its own call's media stream from the MediaStreams it was given, matched by
// the start frame's call_control_id, within a bound; a typed error when it does not come or the call ends.
// The stream's socket is a real `ws` client opening MediaStreams' node:http upgrade on loopback, as Telnyx does.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MediaStreams } from "@telnyx-voice/media";
import { afterEach, expect, test } from "vitest";
import WebSocket from "ws";
import { CallEndedError, FlowError, FlowTimeoutError } from "../src/index.js";
import { deferred, type Harness, harness } from "./harness.js";

const TOKEN = "flows-media-token";
let h: Harness<unknown> | undefined;
let http: Server | undefined;
let media: MediaStreams | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await media?.close();
  http?.closeAllConnections();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  await h?.close();
  h = undefined;
  http = undefined;
  media = undefined;
});

async function mediaServer(): Promise<string> {
  media = new MediaStreams({ authToken: TOKEN, onError: () => {} });
  http = createServer();
  http.on("upgrade", media.nodeUpgrade());
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
}

/** Opens a stream for `callControlId` as Telnyx does: token header, connected, start. */
async function openStream(url: string, callControlId: string, streamId: string): Promise<void> {
  const socket = new WebSocket(url, { headers: { "x-telnyx-streaming-auth-token": TOKEN } });
  sockets.push(socket);
  await once(socket, "open");
  socket.send(JSON.stringify({ event: "connected", version: "1.0.0" }));
  socket.send(
    JSON.stringify({
      event: "start",
      sequence_number: "1",
      stream_id: streamId,
      start: { call_control_id: callControlId, media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 } },
    }),
  );
}

test("each flow gets the stream whose start frame names its call, not another call's", async () => {
  const url = await mediaServer();
  h = await harness({ flows: { media } });
  const got = new Map<string, string>();
  const done = deferred<void>();
  let waiting = 0;
  const ready = deferred<void>();
  h.flows.incoming(async (call) => {
    await call.answer();
    const pending = call.mediaStream({ timeoutMs: 5000 });
    if (++waiting === 2) ready.resolve();
    const stream = await pending;
    got.set(call.id, `${stream.streamId} ${stream.callControlId}`);
    await call.hangup();
    if (got.size === 2) done.resolve();
  });
  const a = h.callIn();
  const b = h.callIn();
  await ready.promise;
  // Opened in the other order than the calls came: matching is by call_control_id.
  await openStream(url, b, "stream-b");
  await openStream(url, a, "stream-a");
  await done.promise;
  expect(got.get(a)).toBe(`stream-a ${a}`);
  expect(got.get(b)).toBe(`stream-b ${b}`);
  expect(h.errors).toEqual([]);
});

test("no stream within timeoutMs rejects with FlowTimeoutError; a hangup first rejects with CallEndedError", async () => {
  await mediaServer();
  h = await harness({ flows: { media } });
  const outcomes = deferred<unknown[]>();
  h.flows.incoming(async (call) => {
    await call.answer();
    const timedOut = await call.mediaStream({ timeoutMs: 50 }).catch((e: unknown) => e);
    const ended = call.mediaStream({ timeoutMs: 5000 }).catch((e: unknown) => e);
    await call.hangup();
    outcomes.resolve([timedOut, await ended, await call.mediaStream().catch((e: unknown) => e)]);
  });
  h.callIn();
  const [timedOut, ended, after] = await outcomes.promise;
  expect(timedOut).toBeInstanceOf(FlowTimeoutError);
  expect((timedOut as FlowTimeoutError).action).toBe("mediaStream");
  expect((timedOut as FlowTimeoutError).message).toContain("within 50 ms");
  expect((timedOut as Error & { cause: { reason: string } }).cause.reason).toBe("stream_wait_timeout");
  expect(ended).toBeInstanceOf(CallEndedError);
  expect(after).toBeInstanceOf(CallEndedError);
});

test("without the media option, mediaStream() says what to pass", async () => {
  h = await harness();
  const outcome = deferred<unknown>();
  h.flows.incoming(async (call) => {
    outcome.resolve(await call.mediaStream().catch((e: unknown) => e));
    await call.hangup();
  });
  h.callIn();
  const error = await outcome.promise;
  expect(error).toBeInstanceOf(FlowError);
  expect((error as Error).message).toContain("new CallFlows({ ..., media })");
});
