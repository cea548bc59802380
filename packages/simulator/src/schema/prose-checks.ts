// Checks the spec states in prose (descriptions), which JSON Schema validation cannot see: phone-number forms,
// base64 client_state, and webhook URLs that must be http(s) ("must include a scheme, such as https"; the
// schema's `uri` format also admits `file:` and `javascript:`). Shared by dial, call commands, applications and
// the far-end control endpoints. Each regex is linear in its input: a 1 MB field cannot pin the event loop.
import { invalidParameter, quote } from "../errors.js";

// E.164, optionally with DTMF to send once answered ("+18004247767,200"), or a SIP URI (user part optional).
const PHONE_OR_SIP = /^(?:\+[1-9]\d{1,14}(?:,[\d*#wW,]*)?|sips?:(?:[^\s@]*@)?[^\s@]+)$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Longer than any real SIP URI; a number is echoed in every webhook of its call, so it is kept short. */
export const MAX_SIP_URI_LENGTH = 1024;

/** Why `value` is not a phone number or SIP URI, or undefined when it is one. */
export function phoneNumberProblem(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > MAX_SIP_URI_LENGTH) {
    return `must be a phone number or a SIP URI of at most ${MAX_SIP_URI_LENGTH} characters, got ${value.length}`;
  }
  return typeof value === "string" && PHONE_OR_SIP.test(value)
    ? undefined
    : `must be a phone number in +E164 format (e.g. +12025550123) or a SIP URI, got ${quote(value)}`;
}

/** Why `value` is not base64, or undefined when it is. */
export function base64Problem(value: unknown): string | undefined {
  return typeof value === "string" && BASE64.test(value) ? undefined : "must be a valid Base-64 encoded string";
}

/** Why `value` is not an absolute http(s) URL a webhook can be POSTed to, or undefined when it is one. */
export function webhookUrlProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be an absolute http(s) URL";
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return `must be an absolute http(s) URL, got ${quote(value)}`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `must be an http(s) URL, not ${parsed.protocol} (${quote(value)})`;
  }
  return undefined;
}

const failWith = (problem: string | undefined, pointer: string) => {
  if (problem) throw invalidParameter(`'${pointer.slice(1).replaceAll("/", ".")}' ${problem}.`, { pointer });
};

export const checkNumber = (value: unknown, pointer: string) => failWith(phoneNumberProblem(value), pointer);

export function checkBase64(value: unknown, pointer: string): void {
  if (value !== undefined) failWith(base64Problem(value), pointer);
}

/** `undefined` passes (the field is optional); so do `null` and "" where `allowEmpty` (an unset failover URL). */
export function checkWebhookUrl(value: unknown, pointer: string, allowEmpty = false): void {
  if (value === undefined || (allowEmpty && (value === null || value === ""))) return;
  failWith(webhookUrlProblem(value), pointer);
}
