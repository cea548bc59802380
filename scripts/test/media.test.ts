// The media frames' codegen (spec/media-stream.yaml -> frame types + the runtime check's schemas): it refuses a
// document the runtime check could not honour, and both outputs come from the same schemas.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { describe, expect, test } from "vitest";
import { MediaSpecError, type MediaStreamDoc, printMediaFrameSchemas, printMediaFrameTypes } from "../lib/media.ts";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

function doc(frames: MediaStreamDoc["frames"], definitions: MediaStreamDoc["definitions"] = {}): MediaStreamDoc {
  return {
    info: { title: "t", read_on: "2026-12-05", sources: { asyncapi: "https://example.com" } },
    definitions,
    frames,
  };
}

const ping = (extra: Record<string, unknown> = {}) => ({
  direction: "from_telnyx",
  type: "object",
  required: ["event"],
  properties: { event: { const: "ping" }, ...extra },
});

describe("the media frames codegen", () => {
  test.each([
    [
      "a keyword the runtime check does not know",
      doc({ Ping: ping({ n: { type: "integer", maximum: 3 } }) }),
      /maximum/,
    ],
    [
      "a frame without a const event",
      doc({ Ping: { direction: "from_telnyx", type: "object", properties: {} } }),
      /const/,
    ],
    ["a frame without a direction", doc({ Ping: { ...ping(), direction: "sideways" } }), /direction/],
    ["a $ref to nothing", doc({ Ping: ping({ n: { $ref: "Missing" } }) }), /Missing/],
    ["two frames from Telnyx with one event", doc({ A: ping(), B: ping() }), /share the event "ping"/],
  ])("refuses %s", async (_, input, message) => {
    expect(() => printMediaFrameSchemas(input)).toThrow(MediaSpecError);
    expect(() => printMediaFrameSchemas(input)).toThrow(message);
    await expect(printMediaFrameTypes(input)).rejects.toThrow(MediaSpecError);
  });

  test("the check's schemas inline references and drop prose; the types keep what was chosen as a hover", async () => {
    const input = doc(
      { Ping: { ...ping({ n: { $ref: "Counter" } }), "x-source": "quoted", description: "A ping." } },
      { Counter: { type: "string", pattern: "^[0-9]+$", "x-chosen": "digits" } },
    );
    const schemas = printMediaFrameSchemas(input);
    expect(schemas).toContain(
      `"ping": {"type":"object","required":["event"],"properties":{"event":{"const":"ping"},"n":{"type":"string","pattern":"^[0-9]+$"}}}`,
    );
    expect(schemas).not.toMatch(/x-source|A ping/);
    const types = await printMediaFrameTypes(input);
    expect(types).toContain("Where Telnyx's description is silent: digits");
    expect(types).toContain(`export type TelnyxFrame = Ping;`);
    expect(types).toContain("Read on 2026-12-05 from:");
  });

  test("spec/media-stream.yaml names its sources and keeps to the rules", async () => {
    const spec = yaml.load(readFileSync(join(root, "spec", "media-stream.yaml"), "utf8")) as MediaStreamDoc;
    expect(spec.info.sources.asyncapi).toMatch(/^https:\/\/developers\.telnyx\.com\//);
    expect(spec.info.read_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const types = await printMediaFrameTypes(spec);
    for (const event of ["connected", "start", "media", "dtmf", "mark", "error", "stop", "clear"]) {
      expect(types).toContain(`event: "${event}"`);
    }
  });
});
