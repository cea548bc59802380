// Which codec and rate a stream's media is sent in, and which the app's media is read in. Telnyx's words:
// `stream_codec` "When set to 'default' or when transcoding is not possible, the codec from the call will be
// used" ([rest] StreamCodec); the app's audio is in `stream_bidirectional_codec` at
// `stream_bidirectional_sampling_rate` ([rest]). The simulator's calls carry PCMU at 8 kHz (the PSTN's codec).
import { isPcmCodec, type PcmCodec } from "@telnyx-voice/media/codecs";
import type { StreamSettings } from "../calls/media-settings.js";

export interface PcmFormat {
  codec: PcmCodec;
  sampleRate: number;
}

/** The codec of every simulated call. */
export const CALL_FORMAT: PcmFormat = { codec: "PCMU", sampleRate: 8000 };

/**
 * L16 has no rate of its own: the simulator streams it at 16 kHz (a wideband line, the rate of the call codecs
 * G722 and AMR-WB), and says so in the start frame's media_format.
 */
export const L16_STREAM_RATE = 16000;

/** What the stream's media frames carry. G722, OPUS and AMR-WB (which the simulator cannot encode) fall back to the call's codec, as Telnyx does when it cannot transcode. */
export function streamedFormat(settings: StreamSettings): { format: PcmFormat; fellBack: boolean } {
  const codec = settings.codec;
  if (codec === "PCMU" || codec === "PCMA") return { format: { codec, sampleRate: 8000 }, fellBack: false };
  if (codec === "L16") return { format: { codec, sampleRate: L16_STREAM_RATE }, fellBack: false };
  return { format: CALL_FORMAT, fellBack: codec !== "default" };
}

/** What the app's media frames are decoded as in rtp mode; undefined for a codec the simulator cannot decode. */
export function playbackFormat(settings: StreamSettings): PcmFormat | undefined {
  const codec = settings.bidirectionalCodec;
  return isPcmCodec(codec) ? { codec, sampleRate: settings.bidirectionalSampleRate } : undefined;
}

/** Samples in one 20 ms frame at `sampleRate`. */
export const frameSamples = (sampleRate: number): number => Math.round(sampleRate / 50);
