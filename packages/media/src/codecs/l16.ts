// L16: 16-bit signed linear PCM. Telnyx sends the RTP payload as is, and RTP's L16 (RFC 3551, section 4.5.11)
// puts each sample in network byte order: big-endian, whatever the machine's own order.

/** L16 payload (big-endian) -> 16-bit samples. A trailing odd byte (half a sample) is dropped. */
export function decodeL16(bytes: Uint8Array, byteOrder: "big" | "little" = "big"): Int16Array {
  const count = bytes.length >> 1;
  const out = new Int16Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  const little = byteOrder === "little";
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, little);
  return out;
}

/** 16-bit samples -> L16 payload (big-endian unless told otherwise). */
export function encodeL16(samples: Int16Array, byteOrder: "big" | "little" = "big"): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  const little = byteOrder === "little";
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i] as number, little);
  return out;
}
