// A frame from Telnyx: text -> JSON -> checked against the schema generated for its `event`
// (spec/media-stream.yaml) -> the typed frame. Every way it can fail is a MediaStreamError with a reason.
import { MediaStreamError } from "./errors.js";
import { telnyxFrameSchemas } from "./generated/frame-schemas.js";
import type { TelnyxFrame } from "./generated/frames.js";
import { checkSchema } from "./schema-check.js";

const SPEC_HINT =
  "The frame was skipped. If Telnyx really sends this shape, the package's frame schema (spec/media-stream.yaml) " +
  "needs updating: report it with the frame, its payload left out.";

/** Parses one text frame from Telnyx; throws MediaStreamError (invalid_json, invalid_frame, unknown_event). */
export function parseTelnyxFrame(text: string, streamId?: string): TelnyxFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MediaStreamError(
      "invalid_json",
      `A media stream frame is not JSON (${text.length} characters). Telnyx sends every frame as a JSON text message; ` +
        "check that nothing between Telnyx and this server rewrites the WebSocket messages.",
      { streamId },
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MediaStreamError("invalid_frame", `A media stream frame is JSON but not an object. ${SPEC_HINT}`, {
      streamId,
    });
  }
  const event = (value as { event?: unknown }).event;
  if (typeof event !== "string") {
    throw new MediaStreamError("invalid_frame", `A media stream frame has no string \`event\`. ${SPEC_HINT}`, {
      streamId,
    });
  }
  const schema = Object.hasOwn(telnyxFrameSchemas, event) ? telnyxFrameSchemas[event] : undefined;
  if (!schema) {
    throw new MediaStreamError(
      "unknown_event",
      `A media stream frame has the event "${event.slice(0, 40)}", which Telnyx's description of the socket does not list ` +
        "(connected, start, media, dtmf, mark, error, stop). It was skipped; a newer version of this package may know it.",
      { streamId },
    );
  }
  const problem = checkSchema(schema, value, "frame");
  if (problem) {
    throw new MediaStreamError(
      "invalid_frame",
      `A \`${event}\` frame from Telnyx is not as described: ${problem}. ${SPEC_HINT}`,
      {
        streamId,
      },
    );
  }
  return value as TelnyxFrame;
}

/** A counter of a frame (a string of digits or an integer, as checked) as a number; `undefined` when absent. */
export function counterValue(counter: string | number | undefined): number | undefined {
  if (counter === undefined) return undefined;
  return typeof counter === "number" ? counter : Number(counter);
}
