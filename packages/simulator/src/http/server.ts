// The HTTP layer: request -> route (from the slice) -> faults -> auth -> parameters and body validated against
// the slice -> handler -> response. Everything is JSON in the Telnyx shapes; errors are `{ errors: [...] }` with
// the status the spec declares for them.
import type { IncomingMessage, ServerResponse } from "node:http";
import { rateLimited, routeNotFound, SimulatorHttpError, serverError, telnyxError, unauthorized } from "../errors.js";
import { validateRequest } from "../schema/validators.js";
import { authorized } from "./auth.js";
import { type FarEndContext, handleFarEnd } from "./far-end.js";
import type { Fault, FaultInjector } from "./faults.js";
import { type OperationContext, operationHandlers } from "./operations.js";
import { ClientGone, parseJsonObject, parseQuery, readBody } from "./request.js";
import { Router } from "./router.js";

export const API_PREFIX = "/v2";

export interface ServerContext extends OperationContext, FarEndContext {
  apiKey: string;
  faults: FaultInjector;
  /** Where a simulator bug is reported (never a key: only the error's message). */
  logError(message: string): void;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const text = reply.status === 204 ? "" : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

function errorReply(error: unknown, ctx: ServerContext): Reply {
  if (error instanceof SimulatorHttpError) {
    return { status: error.status, body: { errors: error.errors }, headers: error.headers };
  }
  // A bug in the simulator: say so without leaking internals (or keys) into the response.
  ctx.logError(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  const internal = serverError(500, "The simulator failed; see its log.");
  return { status: 500, body: { errors: internal.errors } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The response an injected status fault gives, in the Telnyx shape (a 429 with Telnyx's rate-limit headers). */
function faultError(fault: Extract<Fault, { type: "status" }>): SimulatorHttpError {
  if (fault.status === 429) return rateLimited(fault.retryAfterSeconds ?? 1, fault.rateLimit ?? 100);
  return serverError(fault.status, `Injected fault: the simulator was told to answer ${fault.status} here.`);
}

/** Applies a fault at its phase. Returns true when the request is finished (dropped or answered with an error). */
function applyFault(fault: Fault | undefined, phase: "before" | "after", res: ServerResponse): boolean {
  if (!fault || fault.type === "latency") return false;
  if ((fault.when ?? "before") !== phase) return false;
  if (fault.type === "drop") {
    // Close the socket without a response: the client sees a connection reset / "socket hang up".
    res.socket?.destroy();
    return true;
  }
  const error = faultError(fault);
  send(res, { status: error.status, body: { errors: error.errors }, headers: error.headers });
  return true;
}

export function createRequestHandler(ctx: ServerContext, router = new Router()) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? "/", "http://simulator.local");
      const method = (req.method ?? "GET").toUpperCase();
      if (url.pathname.startsWith("/_simulator/")) {
        if (!authorized(req, ctx.apiKey)) throw unauthorized();
        const body = method === "GET" ? {} : parseJsonObject(await readBody(req));
        send(res, handleFarEnd(ctx, method, url.pathname.slice("/_simulator".length), body));
        return;
      }
      if (!url.pathname.startsWith(`${API_PREFIX}/`)) throw routeNotFound(method, url.pathname);
      const match = router.match(method, url.pathname.slice(API_PREFIX.length));
      if (!match) throw routeNotFound(method, url.pathname);
      if ("methodNotAllowed" in match) {
        throw telnyxError("methodNotAllowed", `${method} is not allowed on ${url.pathname}.`);
      }
      const { route, params } = match;
      const fault = ctx.faults.pick(route.operationId, `${route.method} ${route.template}`);
      if (fault?.type === "latency") await sleep(fault.ms);
      if (applyFault(fault, "before", res)) return;

      if (!authorized(req, ctx.apiKey)) throw unauthorized();
      const text = await readBody(req);
      const body = route.operation.requestBody !== undefined ? parseJsonObject(text) : {};
      const query = parseQuery(url.searchParams);
      const errors = await validateRequest(route, { path: params, query, body });
      if (errors.length > 0) throw new SimulatorHttpError(422, errors);

      const handler = operationHandlers[route.operationId];
      if (!handler) throw routeNotFound(method, url.pathname);
      const reply = handler(ctx, { params, query, body, template: route.template });

      if (applyFault(fault, "after", res)) return;
      send(res, reply);
    } catch (error) {
      // A client that went away gets no answer and is no error of ours.
      if (error instanceof ClientGone) return;
      send(res, errorReply(error, ctx));
    }
  };
}
