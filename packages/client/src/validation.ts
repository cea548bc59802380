// Phone numbers the spec documents as E.164 are checked before sending: a malformed number would
// otherwise cost a round trip and come back as a 422 (or, worse, dial somewhere unintended).
import { commandIdOperations, type PhoneKind, phoneFields } from "./generated/body-facts.js";
import { scrub, ValidationError } from "./errors.js";

const E164 = /^\+[1-9]\d{1,14}$/;
// Destinations may carry DTMF to send once answered after a comma ("+18004247767,200", per the spec's dial
// and transfer `to`), and a SIP URI may have an empty user part ("sip:@example.sip.telnyx.com").
const E164_WITH_DTMF = /^\+[1-9]\d{1,14}(?:,[\d*#wW,]*)?$/;
const SIP_URI = /^sips?:(?:[^\s@]*@)?[^\s@]+$/i;

const EXPECTED: Record<PhoneKind, string> = {
  e164: 'an E.164 number like +13125550001 (a "+" and up to 15 digits)',
  "e164-or-sip":
    'an E.164 number like +13125550001 (a "+" and up to 15 digits) or a SIP URI like sip:alice@example.com',
};

/** `dial`, `transfer`, ... for call commands; `POST /call_control_applications` otherwise. */
export function operationLabel(method: string, schemaPath: string): string {
  if (schemaPath === "/calls" && method === "POST") return "dial";
  const action = /^\/calls\/\{call_control_id\}\/actions\/(\w+)$/.exec(schemaPath)?.[1];
  if (action) return action.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  return `${method} ${schemaPath}`;
}

/** What the client does to the body of one operation, worked out once from the generated tables. */
export interface BodyPlan {
  /** Phone-number fields, their `a[].b` paths already split into segments. */
  readonly phones: readonly PhoneField[];
  /** Whether the operation takes a `command_id` (a call command). */
  readonly commandId: boolean;
}

export interface PhoneField {
  readonly path: readonly string[];
  readonly kind: PhoneKind;
}

// Keyed by method, then schema path: the schema paths are string literals, so a lookup hashes no new
// string (a `${method} ${schemaPath}` key was built, flattened and hashed twice on every request).
const PLANS = new Map<string, Map<string, BodyPlan>>();
for (const operation of new Set([...Object.keys(phoneFields), ...commandIdOperations])) {
  const space = operation.indexOf(" ");
  const method = operation.slice(0, space);
  const fields = phoneFields[operation] ?? {};
  const phones = Object.keys(fields).map((name) => ({ path: name.split("."), kind: fields[name] as PhoneKind }));
  const byPath = PLANS.get(method) ?? new Map<string, BodyPlan>();
  PLANS.set(method, byPath);
  byPath.set(operation.slice(space + 1), { phones, commandId: commandIdOperations.has(operation) });
}

/** The body plan of `method schemaPath`, or undefined when its body has neither phone numbers nor `command_id`. */
export function bodyPlan(method: string, schemaPath: string): BodyPlan | undefined {
  return PLANS.get(method)?.get(schemaPath);
}

/** Throws `ValidationError` for the first phone-number field of `body` that is not in its documented form. */
export function validatePhones(
  method: string,
  schemaPath: string,
  phones: readonly PhoneField[],
  body: Record<string, unknown>,
  secret: string,
): void {
  for (const { path, kind } of phones) {
    try {
      check(method, schemaPath, path, 0, body, "", kind);
    } catch (error) {
      // A key pasted into the wrong field must not be echoed back in the message.
      if (
        error instanceof ValidationError &&
        typeof error.value === "string" &&
        secret &&
        error.value.includes(secret)
      ) {
        throw new ValidationError(error.operation, error.field, scrub(error.value, secret), error.expected);
      }
      throw error;
    }
  }
}

function check(
  method: string,
  schemaPath: string,
  path: readonly string[],
  i: number,
  value: unknown,
  prefix: string,
  kind: PhoneKind,
): void {
  if (value === undefined || value === null) return;
  const segment = path[i];
  if (segment === undefined) {
    if (Array.isArray(value))
      for (const [n, v] of value.entries()) checkValue(method, schemaPath, `${prefix}[${n}]`, v, kind);
    else checkValue(method, schemaPath, prefix, value, kind);
    return;
  }
  if (typeof value !== "object") return;
  const many = segment.endsWith("[]");
  const name = many ? segment.slice(0, -2) : segment;
  const child = (value as Record<string, unknown>)[name];
  const here = prefix ? `${prefix}.${name}` : name;
  if (many) {
    if (Array.isArray(child))
      for (const [n, item] of child.entries()) check(method, schemaPath, path, i + 1, item, `${here}[${n}]`, kind);
  } else {
    check(method, schemaPath, path, i + 1, child, here, kind);
  }
}

function checkValue(method: string, schemaPath: string, field: string, value: unknown, kind: PhoneKind): void {
  if (typeof value === "string") {
    if (kind === "e164" ? E164.test(value) : E164_WITH_DTMF.test(value) || SIP_URI.test(value)) return;
  }
  throw new ValidationError(operationLabel(method, schemaPath), field, value, EXPECTED[kind]);
}

/** Path parameters are interpolated into the URL: an empty one would silently address another resource. */
export function requireId(operation: string, name: string, value: unknown): void {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ValidationError(operation, name, value, `a non-empty ${name} string`, "parameter");
  }
}
