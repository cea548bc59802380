// The codecs this package decodes and encodes itself (G.711 both laws and L16), by the names Telnyx uses in
// `media_format.encoding` and `stream_bidirectional_codec`. The others Telnyx streams (G722, OPUS, AMR-WB) are
// compressed codecs that need a real decoder: their payloads are passed through as they came, named.
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from "./g711.js";
import { decodeL16, encodeL16 } from "./l16.js";

/** The codecs this package turns into 16-bit PCM and back. */
export type PcmCodec = "PCMU" | "PCMA" | "L16";

/** Every codec Telnyx streams ([rest] StreamCodec), and any newer name as a string. */
export type CodecName = PcmCodec | "G722" | "OPUS" | "AMR-WB" | (string & {});

/** L16's byte order on the wire: "big" (RTP's network order, RFC 3551) unless Telnyx is seen to differ. */
export type ByteOrder = "big" | "little";

export function isPcmCodec(codec: string): codec is PcmCodec {
  return codec === "PCMU" || codec === "PCMA" || codec === "L16";
}

/** Bytes of payload per sample: 1 for G.711, 2 for L16. */
export function bytesPerSample(codec: PcmCodec): number {
  return codec === "L16" ? 2 : 1;
}

/** An RTP payload of `codec` -> 16-bit PCM at the codec's own rate. */
export function decodePayload(codec: PcmCodec, payload: Uint8Array, byteOrder: ByteOrder = "big"): Int16Array {
  if (codec === "PCMU") return decodeUlaw(payload);
  if (codec === "PCMA") return decodeAlaw(payload);
  return decodeL16(payload, byteOrder);
}

/** 16-bit PCM -> an RTP payload of `codec`. */
export function encodePayload(codec: PcmCodec, samples: Int16Array, byteOrder: ByteOrder = "big"): Uint8Array {
  if (codec === "PCMU") return encodeUlaw(samples);
  if (codec === "PCMA") return encodeAlaw(samples);
  return encodeL16(samples, byteOrder);
}
