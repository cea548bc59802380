// `@telnyx-voice/media/codecs`: the codecs and the resampler alone, without the WebSocket parts (the
// simulator's far end and tests encode and decode with the same code as the app side).
export {
  type ByteOrder,
  bytesPerSample,
  type CodecName,
  decodePayload,
  encodePayload,
  isPcmCodec,
  type PcmCodec,
} from "./codec.js";
export {
  ALAW_TO_PCM,
  decodeAlaw,
  decodeUlaw,
  encodeAlaw,
  encodeAlawSample,
  encodeUlaw,
  encodeUlawSample,
  ULAW_TO_PCM,
} from "./g711.js";
export { decodeL16, encodeL16 } from "./l16.js";
export { Resampler, resample } from "./resample.js";
