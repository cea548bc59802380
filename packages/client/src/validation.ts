// What is checked in a body before sending, from the generated tables: names (a camelCase key the API
// would silently ignore), required fields, and the phone numbers the spec documents as E.164 (a
// malformed one would cost a round trip and a 422, or worse, dial somewhere unintended).
import type { Errors } from "./errors.js";
import { bodyFields, type PhoneKind, phoneFields } from "./generated/body-facts.js";

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

/** Who is asking, for messages: the label is built only when something is refused. */
export interface Named {
  readonly operation: string;
}

/** What the client checks and adds in the body of one operation, worked out once from the generated tables. */
export interface BodyPlan {
  /** Phone-number fields, their `a[].b` paths already split into segments. */
  readonly phones: readonly PhoneField[];
  /** Whether the operation takes a `command_id` (a call command). */
  readonly commandId: boolean;
  /** Top-level fields the body must have. */
  readonly required: readonly string[];
  /** Every top-level field of the body. */
  readonly fields: ReadonlySet<string>;
}

export interface PhoneField {
  readonly path: readonly string[];
  readonly kind: PhoneKind;
}

// Keyed by method, then schema path: the schema paths are string literals, so a lookup hashes no new
// string (a `${method} ${schemaPath}` key was built, flattened and hashed twice on every request).
const PLANS = new Map<string, Map<string, BodyPlan>>();
for (const operation in bodyFields) {
  const space = operation.indexOf(" ");
  const method = operation.slice(0, space);
  const schemaPath = operation.slice(space + 1);
  const phones = phoneFields[operation] ?? {};
  const listed = (bodyFields[operation] as string).split(" ");
  const fields = new Set(listed.map((name) => (name[0] === "*" ? name.slice(1) : name)));
  const byPath = PLANS.get(method) ?? new Map<string, BodyPlan>();
  PLANS.set(method, byPath);
  byPath.set(schemaPath, {
    phones: Object.keys(phones).map((name) => ({ path: name.split("."), kind: phones[name] as PhoneKind })),
    // Call commands (dial and every action) whose body takes one: Telnyx runs a command_id once.
    commandId: isCallCommand(schemaPath) && fields.has("command_id"),
    required: listed.filter((name) => name[0] === "*").map((name) => name.slice(1)),
    fields,
  });
}

function isCallCommand(schemaPath: string): boolean {
  return schemaPath === "/calls" || schemaPath.startsWith("/calls/{call_control_id}/actions/");
}

/** The body plan of `method schemaPath`, or undefined when the spec gives it no JSON object body. */
export function bodyPlan(method: string, schemaPath: string): BodyPlan | undefined {
  return PLANS.get(method)?.get(schemaPath);
}

const UPPER = /[A-Z]/;

/** `connectionId` -> `connection_id`, `callControlID` -> `call_control_id`. */
function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/**
 * Throws ValidationError for the first problem in `body`: a camelCase key naming one of its fields, a
 * required field that is missing, a phone number not in its documented form.
 */
export function validateBody(errors: Errors, call: Named, plan: BodyPlan, body: Record<string, unknown>): void {
  for (const key in body) {
    if (!UPPER.test(key) || plan.fields.has(key)) continue;
    const field = snakeCase(key);
    if (plan.fields.has(field)) throw errors.misnamedField(call.operation, key, field);
  }
  for (const field of plan.required) {
    const value = body[field];
    if (value === undefined || value === null || value === "") {
      throw errors.missingField(call.operation, field, plan.required, value);
    }
  }
  for (const { path, kind } of plan.phones) check(errors, call, path, 0, body, "", kind);
}

function check(
  errors: Errors,
  call: Named,
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
      for (const [n, v] of value.entries()) checkValue(errors, call, `${prefix}[${n}]`, v, kind);
    else checkValue(errors, call, prefix, value, kind);
    return;
  }
  if (typeof value !== "object") return;
  const many = segment.endsWith("[]");
  const name = many ? segment.slice(0, -2) : segment;
  const child = (value as Record<string, unknown>)[name];
  const here = prefix ? `${prefix}.${name}` : name;
  if (many) {
    if (Array.isArray(child))
      for (const [n, item] of child.entries()) check(errors, call, path, i + 1, item, `${here}[${n}]`, kind);
  } else {
    check(errors, call, path, i + 1, child, here, kind);
  }
}

function checkValue(errors: Errors, call: Named, field: string, value: unknown, kind: PhoneKind): void {
  if (typeof value === "string") {
    if (kind === "e164" ? E164.test(value) : E164_WITH_DTMF.test(value) || SIP_URI.test(value)) return;
  }
  // The Errors factory scrubs the key from the value: a key pasted into the wrong field is not echoed.
  throw errors.invalid(call.operation, "body field", field, value, EXPECTED[kind]);
}
