// The client's own middleware, shared by the resource methods and `telnyx.raw`: auth, phone-number
// validation and `command_id` on the way out; a thrown error class for any non-2xx on the way back.
import type { Middleware } from "openapi-fetch";
import { apiErrorFor } from "./errors.js";
import type { LightRequest } from "./fetch-layer.js";
import { bodyPlan, validatePhones } from "./validation.js";

export function coreMiddleware(apiKey: string): Middleware {
  const authorization = `Bearer ${apiKey}`;
  return {
    onRequest({ request: req, schemaPath }) {
      const request = req as unknown as LightRequest;
      request.headers.set("Authorization", authorization);
      const body = request.body;
      // The client's bodySerializer passes objects through untouched so that this is the one place
      // a body is inspected and serialised.
      if (Array.isArray(body)) request.body = JSON.stringify(body);
      if (body === null || typeof body !== "object" || Array.isArray(body) || isBinary(body)) return;
      // Any other object is a JSON body: a class instance or a null-prototype object is validated,
      // given its command_id and serialised like a literal (copied, so no prototype is consulted).
      let json = Object.getPrototypeOf(body) === Object.prototype ? (body as Record<string, unknown>) : { ...body };
      const plan = bodyPlan(request.method, schemaPath);
      if (plan?.phones.length) validatePhones(request.method, schemaPath, plan.phones, json, apiKey);
      if (plan?.commandId) {
        const given = json.command_id;
        // One id per logical command, generated here (before the retry loop) so every attempt repeats it.
        const id = typeof given === "string" && given !== "" ? given : newCommandId();
        if (id !== given) json = { ...json, command_id: id };
        request.commandId = id;
      }
      request.body = JSON.stringify(json);
    },
    // Not async: a success (the common case) then costs no extra promise.
    onResponse({ response }) {
      if (!response.ok) return throwFor(response, apiKey);
    },
  };
}

/** Bodies fetch sends as they are; everything else object-like is JSON. */
function isBinary(body: object): boolean {
  return (
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    (typeof FormData !== "undefined" && body instanceof FormData) ||
    (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams) ||
    (typeof ReadableStream !== "undefined" && body instanceof ReadableStream)
  );
}

async function throwFor(response: Response, apiKey: string): Promise<never> {
  const text = await response.text().catch(() => "");
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's HTML page, say): the text is kept as the error's body.
  }
  throw apiErrorFor(response.status, response.headers, body, apiKey);
}

/** `crypto.randomUUID` is missing outside secure contexts (plain-http pages); getRandomValues is not. */
function newCommandId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
