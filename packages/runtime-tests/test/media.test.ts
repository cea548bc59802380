// A media stream from the simulator (a real `ws` client speaking Telnyx's protocol) reaches a MediaStreams
// handler of the built package on Node (node:http + nodeUpgrade), on Deno (Deno.serve + upgradeWebSocket +
// accept) and on Bun (Bun.serve + bunWebSocket()): a wrong token is refused with 401 before the upgrade, the
// start frame names the call, the caller's audio arrives decoded, the app's answer is heard by the far end, its
// mark comes back, `#` arrives as dtmf.
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { MediaStreams } from "@telnyx-voice/media";
import { DEFAULT_API_KEY, type Simulator, startSimulator } from "@telnyx-voice/simulator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { serve, runIn } from "./harness.ts";
import { exercise, type HandlerResult } from "./fixtures/media-handler.ts";

const TOKEN = "runtime-media-token";
let sim: Simulator;
let sink: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  // Where the simulator delivers the call's webhooks: this test drives the call through the API instead.
  sink = await serve((req, res) => {
    req.resume();
    res.writeHead(200);
    res.end();
  });
  sim = await startSimulator({ webhookUrl: `${sink.url}/webhooks`, answerDelayMs: 5 });
});
afterAll(async () => {
  await sim?.stop();
  await new Promise((resolve) => sink?.server.close(resolve));
});

function sine(frequency: number, rate: number, count: number): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * frequency * i) / rate));
  return out;
}

/** Resolves with the HTTP status a WebSocket upgrade with `token` is refused with, or "open". */
async function tryToken(url: string, token: string): Promise<number | "open"> {
  const socket = new WebSocket(url, { headers: { "x-telnyx-streaming-auth-token": token } });
  socket.on("error", () => {});
  const outcome = await new Promise<number | "open">((resolve) => {
    socket.on("open", () => resolve("open"));
    socket.on("unexpected-response", (_req, res: IncomingMessage) => resolve(res.statusCode ?? 0));
  });
  socket.terminate();
  return outcome;
}

/**
 * A caller rings; the app answers with the stream to `url`; the caller says a 400 Hz tone, and presses `#`
 * once it has heard 200 ms of the app's answer. Returns the call's id and a promise of what it heard.
 */
async function callStreamingTo(url: string) {
  const call = sim.inboundCall({ from: "+13125550142", to: "+13125550100", connectionId: "media-runtime" });
  const res = await fetch(`${sim.url}/calls/${encodeURIComponent(call.callControlId)}/actions/answer`, {
    method: "POST",
    headers: { authorization: `Bearer ${DEFAULT_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      stream_url: url,
      stream_track: "inbound_track",
      stream_auth_token: TOKEN,
      stream_bidirectional_mode: "rtp",
      stream_bidirectional_codec: "PCMU",
      custom_parameters: [{ name: "customer_id", value: "customer_123" }],
    }),
  });
  expect(res.status, await res.text()).toBe(200);
  call.sendAudio(sine(400, 8000, 4000), { sampleRate: 8000 }); // 500 ms
  const heard = (async () => {
    const deadline = Date.now() + 15_000;
    while (call.receivedAudio().ms < 200) {
      if (Date.now() > deadline) throw new Error("the far end heard nothing from the app within 15 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    call.pressDigits("#");
    return call.receivedAudio({ sampleRate: 16000 });
  })();
  return { id: call.callControlId, heard };
}

function pitch(pcm: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if ((pcm[i - 1] as number) < 0 !== (pcm[i] as number) < 0) crossings++;
  return (crossings * rate) / (2 * pcm.length);
}

function expectConversation(result: HandlerResult, id: string, heard: { pcm: Int16Array; sampleRate: number }) {
  expect(result.callControlId).toBe(id);
  expect(result.encoding).toBe("PCMU");
  expect(result.customerId).toBe("customer_123");
  expect(result.heardMs).toBeGreaterThanOrEqual(200);
  expect(Math.abs(result.heardHz - 400)).toBeLessThan(20);
  expect(result.mark).toEqual({ name: "answered", played: true });
  expect(result.digits).toEqual(["#"]);
  // What the far end heard of the app: its 600 Hz answer.
  expect(Math.abs(pitch(heard.pcm, heard.sampleRate) - 600)).toBeLessThan(30);
}

describe("a stream from the simulator reaches MediaStreams", () => {
  test("on Node: node:http's upgrade event through nodeUpgrade()", async () => {
    const errors: string[] = [];
    const media = new MediaStreams({ authToken: TOKEN, onError: (e) => errors.push(e.reason) });
    const handled = new Promise<HandlerResult>((resolve, reject) =>
      media.handle((s) => exercise(s).then(resolve, reject)),
    );
    const server = createServer();
    server.on("upgrade", media.nodeUpgrade({ path: "/media" }));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/media`;
    try {
      expect(await tryToken(url, "not-the-token")).toBe(401);
      const { id, heard } = await callStreamingTo(url);
      const result = await handled;
      expectConversation(result, id, await heard);
      expect(errors).toEqual(["unauthorized"]);
    } finally {
      await media.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test.each([
    ["deno", "Deno.serve + Deno.upgradeWebSocket through accept()"],
    ["bun", "Bun.serve + server.upgrade through bunWebSocket()"],
  ] as const)("on %s: %s", async (runtime, _how) => {
    let call: Awaited<ReturnType<typeof callStreamingTo>> | undefined;
    let refused: number | "open" | undefined;
    const control = await serve((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", async () => {
        try {
          refused = await tryToken(body, "not-the-token");
          call = await callStreamingTo(body);
          res.writeHead(200);
        } catch {
          res.writeHead(500);
        }
        res.end();
      });
    });
    try {
      const result = await runIn<object, HandlerResult & { errors: string[]; runtime: string }>(
        runtime,
        `media-${runtime}`,
        {
          token: TOKEN,
          controlUrl: `${control.url}/started`,
        },
      );
      expect(result.runtime).toBe("object");
      expect(refused).toBe(401);
      expect(call).toBeDefined();
      expectConversation(result, call?.id as string, await (call as NonNullable<typeof call>).heard);
      expect(result.errors).toEqual(["unauthorized"]);
    } finally {
      await new Promise((resolve) => control.server.close(resolve));
    }
  });
});
