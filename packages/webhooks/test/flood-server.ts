// The server of flood.test.ts, run in a child process of its own (bundled by the test) so that the memory it
// reports is the server's alone. It counts each request's body bytes as they arrive; once every request has
// all of its body but the chunked terminator, the handlers hold as much as they ever will for it, so the
// child collects garbage and reports the memory still live: a measure of what is held, not of how fast.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { Webhooks } from "../src/node.js";
import { fetchServer } from "./http-helpers.js";

export type FloodKind = "node" | "fetch" | "express-raw";

export interface FloodConfig {
  kind: FloodKind;
  publicKey: string;
  maxBodyBytes: number;
  /** The body length of each request; the server measures once `requests` of them have arrived whole. */
  bodyBytes: number;
  requests: number;
}

/**
 * What the child sends its parent: its port once listening; its baseline when asked (after a first request
 * has loaded what serving takes, undici's Request among it); then the memory held at the peak, over that.
 */
export type FloodMessage =
  | { type: "listening"; port: number }
  | { type: "baseline"; bytes: number }
  | { type: "held"; bytes: number; chunks: number; rss: number };

function live(): number {
  // Twice: buffers a collection finds dead are freed by a sweep that may still run after it; the next one
  // finishes it first. Else the buffers a body outgrew could count as held.
  globalThis.gc?.();
  globalThis.gc?.();
  const { heapUsed, external } = process.memoryUsage();
  // `external` includes arrayBuffers: the bytes of every Buffer, chunks and body alike.
  return heapUsed + external;
}

function serverFor(config: FloodConfig): Server {
  // Long enough for the slowest machine: the test measures memory, never time.
  const webhooks = new Webhooks({
    publicKey: config.publicKey,
    maxBodyBytes: config.maxBodyBytes,
    bodyTimeoutMs: 120_000,
  });
  const onEvent = () => undefined;
  if (config.kind === "node") return createServer(webhooks.nodeHandler(onEvent));
  if (config.kind === "fetch") return fetchServer(webhooks.fetchHandler(onEvent));
  const app = express();
  app.post(
    "/webhooks",
    express.raw({ type: "application/json", limit: config.maxBodyBytes }),
    webhooks.nodeHandler(onEvent),
  );
  return createServer(app);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as FloodConfig;
  if (!globalThis.gc) throw new Error("flood-server needs --expose-gc, to measure live memory only");
  const send = (message: FloodMessage) => process.send?.(message);
  const server = serverFor(config);
  let whole = 0;
  let chunks = 0;
  let baseline = 0;
  // Before the handler's own listener, so that each chunk is counted as the handler receives it.
  server.prependListener("request", (req: IncomingMessage) => {
    if (baseline === 0) return; // the warm-up request
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      chunks++;
      received += chunk.length;
      if (received === config.bodyBytes && ++whole === config.requests) void measure();
    });
  });
  const measure = async () => {
    // A few turns of the event loop, so a Fetch reader takes what its stream still queues.
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    send({ type: "held", bytes: live() - baseline, chunks, rss: process.memoryUsage().rss });
  };
  process.on("message", (message) => {
    if (message !== "baseline") return;
    baseline = live();
    send({ type: "baseline", bytes: baseline });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  send({ type: "listening", port: (server.address() as AddressInfo).port });
}

void main();
