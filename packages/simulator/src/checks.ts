// Checks the spec states in prose (descriptions), which JSON Schema validation cannot see: phone-number
// forms and base64 client_state. Shared by dial, call commands and the far-end control endpoints.
import { invalidParameter } from "./errors.js";

// E.164, optionally with DTMF to send once answered ("+18004247767,200"), or a SIP URI (user part optional).
const PHONE_OR_SIP = /^(?:\+[1-9]\d{1,14}(?:,[\d*#wW,]*)?|sips?:(?:[^\s@]*@)?[^\s@]+)$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function checkNumber(value: unknown, pointer: string): void {
  if (typeof value !== "string" || !PHONE_OR_SIP.test(value)) {
    throw invalidParameter(
      `'${pointer.slice(1)}' must be a phone number in +E164 format (e.g. +12025550123) or a SIP URI, got '${String(value)}'.`,
      { pointer },
    );
  }
}

export function checkBase64(value: unknown, pointer: string): void {
  if (value === undefined) return;
  if (typeof value !== "string" || !BASE64.test(value)) {
    throw invalidParameter(`'${pointer.slice(1)}' must be a valid Base-64 encoded string.`, { pointer });
  }
}
