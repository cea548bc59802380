import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { applyOverlay, type Overlay } from "../lib/overlay.ts";
import { pathMatcher, type SliceConfig, sliceSpec } from "../lib/slice.ts";
import { currentSpec, loadDoc, olderSpec, readYaml, root } from "./helpers.ts";

const config = readYaml<SliceConfig>(join(root, "spec", "slice.yaml"));
const overlay = readYaml<Overlay>(join(root, "spec", "overlay.yaml"));

function collectRefs(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) collectRefs(n, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.add(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

describe("the Voice slice", () => {
  const doc = loadDoc(currentSpec);
  expect(applyOverlay(doc, overlay)).toEqual([]);
  const slice = sliceSpec(doc, config);

  test("keeps the 48 operations and the 40 call-family webhooks", () => {
    expect(slice.operations).toHaveLength(48);
    expect(slice.operations).toContain("PUT /calls/{call_control_id}/actions/client_state_update");
    expect(slice.operations).toContain("GET /connections/{connection_id}/active_calls");
    expect(slice.operations.filter((o) => o.includes("/actions/"))).toHaveLength(40);
    expect(slice.webhooks).toHaveLength(40);
    expect(slice.webhooks).toContain("CallAIGatherEnded");
    expect(slice.webhooks).not.toContain("conferenceCreated");
  });

  test("keeps every component it references, transitively, and nothing else", () => {
    const kept = new Set<string>();
    for (const [section, entries] of Object.entries(slice.doc.components ?? {})) {
      for (const name of Object.keys(entries)) kept.add(`#/components/${section}/${name}`);
    }
    const refs = collectRefs(slice.doc);
    for (const ref of refs) expect(kept.has(ref), `dangling ${ref}`).toBe(true);
    const unreferenced = [...kept].filter((k) => !refs.has(k) && !k.includes("/securitySchemes/"));
    expect(unreferenced).toEqual([]);
    expect(kept.size).toBeLessThan(Object.keys(doc.components?.schemas ?? {}).length / 4);
  });

  test("the older spec lacks what the changelog says it lacks", () => {
    const older = sliceSpec(loadDoc(olderSpec), config);
    const missing = slice.operations.filter((o) => !older.operations.includes(o));
    expect(missing.sort()).toEqual([
      "POST /calls/{call_control_id}/actions/conversation_relay_start",
      "POST /calls/{call_control_id}/actions/conversation_relay_stop",
    ]);
    expect(slice.webhooks.filter((w) => !older.webhooks.includes(w)).sort()).toEqual([
      "callDeepfakeDetectionError",
      "callDeepfakeDetectionResult",
      "callHold",
      "callUnhold",
    ]);
  });

  test("path patterns match one segment per *", () => {
    const m = pathMatcher("/calls/{call_control_id}/actions/*");
    expect(m("/calls/{call_control_id}/actions/answer")).toBe(true);
    expect(m("/calls/{call_control_id}/actions")).toBe(false);
    expect(m("/calls/{call_control_id}/actions/a/b")).toBe(false);
    expect(sliceSpec(loadDoc(olderSpec), { paths: ["/calls", "/nope"], webhooks: ["^zzz"] }).unmatched).toEqual(["/nope", "^zzz"]);
  });
});
