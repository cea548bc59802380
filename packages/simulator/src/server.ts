// The HTTP layer: request -> route (from the slice) -> faults -> auth -> parameters and body validated
// against the slice -> handler -> response. Everything is JSON in the Telnyx shapes; errors are
// `{ errors: [...] }` with the status the spec declares for them.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ControlContext, handleControl } from "./control.js";
import { malformedJson, routeNotFound, SimulatorHttpError, unauthorized } from "./errors.js";
import type { Fault, FaultInjector } from "./faults.js";
import { type OperationContext, operationHandlers } from "./operations.js";
import { Router } from "./router.js";
import { operationKey, validateParameters, validateRequestBody } from "./validation.js";
import { whenCompiled } from "./warm-up.js";

export const API_PREFIX = "/v2";
const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerContext extends OperationContext, ControlContext {
  apiKey: string;
  faults: FaultInjector;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const text = reply.status === 204 ? "" : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

function errorReply(error: unknown): Reply {
  if (error instanceof SimulatorHttpError) {
    return { status: error.status, body: { errors: error.errors }, headers: error.headers };
  }
  // A bug in the simulator: say so without leaking internals (or keys) into the response.
  console.error("[telnyx-voice-simulator] internal error:", error instanceof Error ? error.message : error);
  return {
    status: 500,
    body: { errors: [{ code: "10007", title: "Internal server error", detail: "The simulator failed; see its log." }] },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw malformedJson(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): Record<string, unknown> {
  // Commands whose fields are all optional may be sent without a body; treat that as `{}`.
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformedJson(
      `The request body is not valid JSON: ${error instanceof Error ? error.message : "parse error"}`,
    );
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

function authorized(req: IncomingMessage, apiKey: string): boolean {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Applies a fault at its phase. Returns true when the request is finished (dropped or answered with an error). */
function applyFault(fault: Fault | undefined, phase: "before" | "after", res: ServerResponse): boolean {
  if (!fault || fault.type === "latency") return false;
  if ((fault.when ?? "before") !== phase) return false;
  if (fault.type === "drop") {
    // Close the socket without a response: the client sees a connection reset / "socket hang up".
    res.socket?.destroy();
    return true;
  }
  const retryAfter = fault.status === 429 ? { "retry-after": String(fault.retryAfterSeconds ?? 1) } : undefined;
  const error =
    fault.status === 429
      ? { code: "10011", title: "Too many requests", detail: "Rate limit exceeded (injected fault)." }
      : fault.status === 500
        ? { code: "10007", title: "Internal server error", detail: "Internal server error (injected fault)." }
        : { code: "10007", title: "Service unavailable", detail: "Service unavailable (injected fault)." };
  send(res, { status: fault.status, body: { errors: [error] }, headers: retryAfter });
  return true;
}

export function createRequestHandler(ctx: ServerContext, router = new Router()) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? "/", "http://simulator.local");
      const method = (req.method ?? "GET").toUpperCase();
      if (url.pathname.startsWith("/_simulator/")) {
        if (!authorized(req, ctx.apiKey)) throw unauthorized();
        const body = method === "GET" ? {} : parseJson(await readBody(req));
        send(res, handleControl(ctx, method, url.pathname.slice("/_simulator".length), body));
        return;
      }
      if (!url.pathname.startsWith(`${API_PREFIX}/`)) throw routeNotFound(method, url.pathname);
      const path = url.pathname.slice(API_PREFIX.length);
      const match = router.match(method, path);
      if (!match) throw routeNotFound(method, url.pathname);
      if ("methodNotAllowed" in match) {
        throw new SimulatorHttpError(405, [
          { code: "10006", title: "Method not allowed", detail: `${method} is not allowed on ${url.pathname}.` },
        ]);
      }
      const { route, params } = match;
      const fault = ctx.faults.pick(route.operationId, operationKey(route.method, route.template));
      if (fault?.type === "latency") await sleep(fault.ms);
      if (applyFault(fault, "before", res)) return;

      if (!authorized(req, ctx.apiKey)) throw unauthorized();
      const text = await readBody(req);
      const hasBody = route.operation.requestBody !== undefined;
      const body = hasBody ? parseJson(text) : {};
      const query = parseQuery(url.searchParams);
      // Validators still being compiled on the background thread: wait for them there, not by compiling here.
      const key = operationKey(route.method, route.template);
      await whenCompiled([`body:${key}`, `path:${key}`, `query:${key}`]);
      const paramErrors = validateParameters(route.method, route.template, route.operation, { path: params, query });
      const bodyErrors = hasBody ? validateRequestBody(route.method, route.template, route.operation, body) : [];
      const errors = [...paramErrors, ...bodyErrors];
      if (errors.length > 0) throw new SimulatorHttpError(422, errors);

      const handler = operationHandlers[route.operationId];
      if (!handler) throw routeNotFound(method, url.pathname);
      const reply = handler(ctx, { params, query, body, template: route.template });

      if (applyFault(fault, "after", res)) return;
      send(res, reply);
    } catch (error) {
      send(res, errorReply(error));
    }
  };
}
