// call.mediaStream() is typed with @telnyx-voice/media's MediaStream (a type-only, optional peer dependency).
import type { MediaStream, MediaStreams } from "@telnyx-voice/media";
import { expectTypeOf, test } from "vitest";
import type { Call, CallFlowsOptions } from "../src/index.js";

test("mediaStream() gives the media package's stream; the option takes a MediaStreams", () => {
  expectTypeOf<ReturnType<Call["mediaStream"]>>().toEqualTypeOf<Promise<MediaStream>>();
  expectTypeOf<MediaStreams>().toExtend<NonNullable<CallFlowsOptions["media"]>>();
});
