// Bearer auth, compared in constant time so the key cannot be guessed byte by byte from response times.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export function authorized(req: IncomingMessage, apiKey: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
