// Starts the redis-server the tests share (or takes REDIS_URL) and hands its URL to them: inject("redisUrl").
import type { TestProject } from "vitest/node";
import { startRedisServer } from "../../../scripts/redis-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRedisServer();
  process.stderr.write(`[redis tests] ${server.url} (${server.source})\n`);
  project.provide("redisUrl", server.url);
  return () => server.stop();
}
