// streaming_start resolves when Telnyx has connected to the app's WebSocket (streaming.started) and rejects when it
// could not (streaming.failed), against the simulator opening a real WebSocket.
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { WebSocketServer } from "ws";
import { ActionFailedError, type EventPayload } from "../src/index.js";
import { deferred, type Harness, harness } from "./harness.js";

let h: Harness<unknown> | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise((resolve) => (wss ? wss.close(resolve) : resolve(undefined)));
  wss = undefined;
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("streamingStart resolves with streaming.started once the socket is up; a URL nobody serves rejects it", async () => {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  const connected = deferred<string | undefined>();
  wss.on("connection", (_socket, request) =>
    connected.resolve(request.headers["x-telnyx-streaming-auth-token"] as string),
  );
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/media`;
  const refused = `ws://127.0.0.1:${await closedPort()}/media`;
  h = await harness();
  const t = h;
  const done = deferred<{ started: EventPayload<"streaming.started">; failed: unknown }>();
  t.flows.incoming(async (call) => {
    await call.answer();
    const started = await call.streamingStart({
      stream_url: url,
      stream_track: "both_tracks",
      stream_auth_token: "tok",
    });
    await call.streamingStop();
    const failed = await call.streamingStart({ stream_url: refused }).catch((e: unknown) => e);
    await call.hangup();
    done.resolve({ started, failed });
  });
  t.callIn();
  const { started, failed } = await done.promise;
  expect(started.stream_url).toBe(url);
  expect(await connected.promise).toBe("tok");
  expect(failed).toBeInstanceOf(ActionFailedError);
  expect((failed as ActionFailedError).event_type).toBe("streaming.failed");
  expect(t.errors).toEqual([]);
});
