// Reading a request: the body (bounded), its JSON (an object, or nothing), the deepObject query, and path
// segments. Everything here faces whatever a client sends, so each step has a bound and a clear 4xx.
import type { IncomingMessage } from "node:http";
import { invalidParameter, malformedBody } from "../errors.js";

export const MAX_BODY_BYTES = 1024 * 1024;

/** The client went away mid-request: nothing to answer, nothing to log. */
export class ClientGone extends Error {
  override name = "ClientGone";
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    // "aborted" / ECONNRESET: the client closed the connection before sending the whole body.
    if (req.destroyed || (error as { code?: string }).code === "ECONNRESET") throw new ClientGone("client aborted");
    throw error;
  }
  return Buffer.concat(chunks).toString("utf8");
}

const tooLarge = () =>
  malformedBody(`The request body is larger than ${MAX_BODY_BYTES} bytes; send at most ${MAX_BODY_BYTES} bytes.`);

/**
 * The body as a JSON object. Commands whose fields are all optional may be sent without a body: that is `{}`.
 * Anything but an object (`null`, an array, a number) is a 422 pointing at the whole body.
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformedBody(
      `The request body is not valid JSON: ${error instanceof Error ? error.message : "parse error"}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw invalidParameter(`The request body must be a JSON object, got ${got}.`, { pointer: "" });
  }
  return value as Record<string, unknown>;
}

/** `page[size]=5&filter[application_name][contains]=abc` -> `{ page: { size: "5" }, filter: {...} }` (deepObject). */
export function parseQuery(search: URLSearchParams): Record<string, unknown> {
  // Null-prototype objects, and only own properties read: `?__proto__[x]=1` must not reach Object.prototype.
  const out: Record<string, unknown> = Object.create(null);
  for (const [rawKey, value] of search) {
    const [head, ...rest] = rawKey.split("[").map((part) => part.replace(/]$/, ""));
    if (!head) continue;
    let node = out;
    const keys = [head, ...rest];
    keys.forEach((key, i) => {
      if (i === keys.length - 1) {
        node[key] = value;
      } else {
        const next = Object.hasOwn(node, key) ? node[key] : undefined;
        node[key] = next && typeof next === "object" ? next : Object.create(null);
        node = node[key] as Record<string, unknown>;
      }
    });
  }
  return out;
}

/** A malformed escape (`%E0%A4%A`) is kept as sent: the id then matches no call (404) instead of a 500. */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
