// ajv's errors in Telnyx's words: one error object per offending location, most specific message first, with
// `source.pointer` (body) or `source.parameter` (query, deepObject style), and at most MAX_ERRORS of them: a
// body with thousands of bad items gets a short answer, not one entry each.

import type { ErrorObject } from "ajv/dist/2020.js";
import { errorObject, type TelnyxErrorObject } from "../errors.js";

/** How many error objects a 422 lists at most. */
export const MAX_ERRORS = 10;
/** How many of ajv's errors are looked at. */
const MAX_AJV_ERRORS = 100;

const TYPE_WORDS: Record<string, string> = { string: "a string", array: "an array", object: "an object" };
const RANGE_KEYWORDS = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]);

/** `/page/size` -> `page[size]` (deepObject query style). */
function parameterName(path: string): string {
  const [head, ...rest] = path.slice(1).split("/");
  return (head ?? "") + rest.map((p) => `[${p}]`).join("");
}

const missing = (e: ErrorObject) => (e.params as { missingProperty: string }).missingProperty;

export function toTelnyxErrors(all: ErrorObject[], where: "body" | "parameter"): TelnyxErrorObject[] {
  // ajv runs without allErrors, so the list is short; the cap keeps the pairing below (quadratic) cheap anyway.
  const errors = all.slice(0, MAX_AJV_ERRORS);
  const out: TelnyxErrorObject[] = [];
  const sourceOf = (pointer: string) => (where === "body" ? { pointer } : { parameter: parameterName(pointer) });
  // "anyOf: [{required: [a]}, {required: [b]}]" means "one of a, b is required": say that, once.
  const alternatives = new Set<ErrorObject>();
  for (const composite of errors) {
    if (composite.keyword !== "anyOf" && composite.keyword !== "oneOf") continue;
    const branches = errors.filter((e) => e !== composite && e.schemaPath.startsWith(`${composite.schemaPath}/`));
    if (
      branches.length === 0 ||
      !branches.every((e) => e.keyword === "required" && e.instancePath === composite.instancePath)
    )
      continue;
    const names = branches.map((e) => `'${missing(e)}'`);
    out.push(
      errorObject(
        "missingParameter",
        `One of ${names.join(", ")} is required.`,
        sourceOf(`${composite.instancePath}/${missing(branches[0]!)}`),
      ),
    );
    for (const e of [composite, ...branches]) alternatives.add(e);
  }
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    if (alternatives.has(error)) continue;
    const path =
      error.keyword === "required"
        ? `${error.instancePath}/${missing(error)}`
        : error.keyword === "additionalProperties"
          ? `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`
          : error.instancePath;
    const list = byPath.get(path) ?? [];
    list.push(error);
    byPath.set(path, list);
  }
  for (const [path, list] of byPath) {
    const name = where === "body" ? path.slice(1).replaceAll("/", ".") : parameterName(path);
    const source = sourceOf(path);
    const types = list.filter((e) => e.keyword === "type").map((e) => String((e.params as { type: string }).type));
    const first = list.find((e) => !["oneOf", "anyOf", "if"].includes(e.keyword)) ?? list[0]!;
    const label = name === "" ? "The request body" : `'${name}'`;
    if (first.keyword === "required") {
      out.push(errorObject("missingParameter", `${label} is required.`, source));
    } else if (types.length > 0) {
      const expected = types.map((t) => TYPE_WORDS[t] ?? `a ${t}`).join(" or ");
      out.push(errorObject("invalidParameter", `${label} must be ${expected}.`, source));
    } else if (first.keyword === "enum") {
      const allowed = (first.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      out.push(errorObject("invalidEnum", `${label} must be one of ${allowed.join(", ")}.`, source));
    } else if (RANGE_KEYWORDS.has(first.keyword)) {
      out.push(errorObject("outOfRange", `${label} ${first.message}.`, source));
    } else if (first.keyword === "additionalProperties") {
      out.push(errorObject("invalidParameter", `${label} is not a known parameter.`, source));
    } else {
      out.push(errorObject("invalidParameter", `${label} ${first.message}.`, source));
    }
  }
  return out;
}

/** At most MAX_ERRORS objects; when some were left out, the last one says so. */
export function capErrors(errors: TelnyxErrorObject[]): TelnyxErrorObject[] {
  if (errors.length <= MAX_ERRORS) return errors;
  const kept = errors.slice(0, MAX_ERRORS - 1);
  kept.push(
    errorObject(
      "invalidParameter",
      "The request has more problems than are listed here; fix these and send it again to see the rest.",
    ),
  );
  return kept;
}
