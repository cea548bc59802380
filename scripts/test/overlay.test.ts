import { describe, expect, test } from "vitest";
import { applyOverlay, parseTarget } from "../lib/overlay.ts";

describe("overlay", () => {
  test("parses dotted, bracketed and wildcard targets", () => {
    expect(parseTarget("$.components.schemas['a/b'].x")).toEqual(["components", "schemas", "a/b", "x"]);
    expect(parseTarget('$.paths["/calls"][*].responses')).toEqual(["paths", "/calls", "*", "responses"]);
    expect(() => parseTarget("components.x")).toThrow(/must start with \$/);
    expect(() => parseTarget("$.a[?(@.x)]")).toThrow(/unsupported overlay target/);
  });

  test("removes, merges objects, appends to arrays and reports unmatched targets", () => {
    const doc = { a: { keep: 1, drop: 2, list: [1] }, b: { x: { n: 1 }, y: { n: 2 } } };
    const unmatched = applyOverlay(doc, {
      overlay: "1.0.0",
      actions: [
        { target: "$.a.drop", remove: true },
        { target: "$.a.list", update: [2] },
        { target: "$.b[*]", update: { tag: true } },
        { target: "$.a", update: { added: { deep: 1 } } },
        { target: "$.nothing.here", remove: true },
      ],
    });
    expect(doc).toEqual({
      a: { keep: 1, list: [1, 2], added: { deep: 1 } },
      b: { x: { n: 1, tag: true }, y: { n: 2, tag: true } },
    });
    expect(unmatched).toEqual(["$.nothing.here"]);
  });
});
