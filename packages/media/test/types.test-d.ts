// The frames are typed from spec/media-stream.yaml: what a handler can read without a cast, and what it cannot.
import { expectTypeOf, test } from "vitest";
import type { AudioChunk, MediaFormat, MediaStream, StartFrame, TelnyxFrame } from "../src/index.js";

test("the start frame and the chunks are typed", () => {
  expectTypeOf<MediaStream["start"]>().toEqualTypeOf<StartFrame>();
  expectTypeOf<StartFrame["start"]["call_control_id"]>().toEqualTypeOf<string>();
  expectTypeOf<StartFrame["start"]["media_format"]>().toEqualTypeOf<MediaFormat>();
  expectTypeOf<StartFrame["start"]["custom_parameters"]>().toEqualTypeOf<{ [key: string]: string } | undefined>();
  // Frames narrow on `event`.
  expectTypeOf<Extract<TelnyxFrame, { event: "dtmf" }>["dtmf"]["digit"]>().toEqualTypeOf<string>();
  // A chunk narrows on `kind`: samples only when decoded.
  expectTypeOf<Extract<AudioChunk, { kind: "pcm" }>["samples"]>().toEqualTypeOf<Int16Array>();
  expectTypeOf<Extract<AudioChunk, { kind: "raw" }>["payload"]>().toEqualTypeOf<Uint8Array>();
  // @ts-expect-error: a field Telnyx does not describe is not invented
  type _Invented = StartFrame["start"]["account_sid"];
});
