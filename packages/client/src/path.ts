// Path parameters are ids, each one RFC 3986 path segment: checked before sending (an empty id, "." or
// ".." would address another resource once the URL is resolved) and encoded so that nothing in an id can
// end the segment.
import type { Errors } from "./errors.js";
import type { Named } from "./validation.js";

const PLACEHOLDER = /\{([^{}]+)\}/g;
const NAMES = new Map<string, readonly string[]>();

/** The `{name}`s of a path template, parsed once per template. */
function namesOf(schemaPath: string): readonly string[] {
  let names = NAMES.get(schemaPath);
  if (!names) {
    names = Array.from(schemaPath.matchAll(PLACEHOLDER), (m) => m[1] as string);
    NAMES.set(schemaPath, names);
  }
  return names;
}

/** Throws ValidationError for the first parameter of `schemaPath` that is not a usable id. */
export function checkPathParams(
  errors: Errors,
  call: Named,
  schemaPath: string,
  params: Record<string, unknown> | undefined,
): void {
  for (const name of namesOf(schemaPath)) {
    const value = params?.[name];
    if (typeof value !== "string" || value.trim() === "" || value === "." || value === "..") {
      throw errors.pathParameter(call.operation, name, value);
    }
  }
}

/**
 * One path segment: `:` and `@` stay as they are (pchar allows them, and Telnyx's ids are `v3:...`, sent
 * raw by its docs and its SDK); `/ ? # %`, spaces and every other character outside pchar's unreserved
 * set are percent-encoded.
 */
export function encodeSegment(value: string): string {
  const encoded = encodeURIComponent(value);
  return encoded.includes("%") ? encoded.replace(/%3A/g, ":").replace(/%40/g, "@") : encoded;
}

/** openapi-fetch's `pathSerializer`: fills each `{name}` of the URL with its encoded segment. */
export function serializePath(url: string, params: Record<string, unknown>): string {
  return url.replace(PLACEHOLDER, (match, name: string) => {
    const value = params[name];
    // Checked before openapi-fetch runs; a placeholder without a value is left for the server to refuse.
    return typeof value === "string" ? encodeSegment(value) : match;
  });
}
