// The one ajv configuration, shared by the in-process compiler (validators.ts) and the background compiler
// thread (precompile.ts), so a validator behaves the same whichever of them compiled it.
import { Ajv2020, type Options } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { sliceDocument } from "./slice.js";

/** The slice is registered under this $id; inline schemas' `#/...` references are anchored to it. */
export const SLICE_ID = "telnyx-voice-slice.json";

/** Formats the spec uses that are not JSON Schema formats: "url" is checked like "uri"; the rest are hints. */
// Empty passes: the spec's own default for its `url` fields (webhook_event_failover_url) is "", meaning none.
export const URL_FORMAT = /^(?:[a-z][a-z0-9+.-]*:[^\s]*)?$/i;
export const HINT_FORMATS = ["integer", "wav", "float"] as const;

// ajv-formats ships as CJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => void;

/** Plain data (it is sent to the compiler thread as is). */
export function ajvOptions(coerceTypes: boolean): Options {
  return {
    // strict: false because the spec carries OpenAPI keywords (discriminator, example, x-*) ajv does not know.
    strict: false,
    // Not allErrors: with it, a body of thousands of bad items cost ajv (and the error list) time and memory
    // growing with the square of their number: 4,000 invalid tools (32 KB) held the event loop for over a minute.
    // Without it, each location stops at its first error, and validation is linear in the body.
    allErrors: false,
    coerceTypes,
    validateFormats: true,
    // The slice is checked against the JSON Schema meta-schema by the test suite (validators.test.ts), not on
    // every start: meta-validating 450 KB cost ~100 ms per ajv instance, and again inside every compile.
    validateSchema: false,
    // ajv's optimizer pass shortens the generated code a little but made compiles ~40% slower; the bodies
    // checked here are small, so validation speed does not notice.
    code: { optimize: false },
  };
}

export function createAjv(coerceTypes: boolean): Ajv2020 {
  const ajv = new Ajv2020(ajvOptions(coerceTypes));
  addFormats(ajv);
  ajv.addFormat("url", URL_FORMAT);
  for (const hint of HINT_FORMATS) ajv.addFormat(hint, true);
  ajv.addSchema({ ...sliceDocument, $id: SLICE_ID });
  return ajv;
}

/** Rewrites local `#/...` references so an inline schema can be compiled on its own. */
export function anchorRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(anchorRefs);
  if (node && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] =
        key === "$ref" && typeof value === "string" && value.startsWith("#/") ? SLICE_ID + value : anchorRefs(value);
    }
    return out;
  }
  return node;
}
