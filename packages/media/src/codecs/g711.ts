// ITU-T G.711: PCMU (mu-law) and PCMA (A-law), to and from 16-bit linear PCM.
// Decoding is a lookup in a 256-entry table built at load time from the standard's reconstruction formulas;
// encoding finds the segment and step whose decision interval holds the sample. 16-bit samples are first
// truncated toward zero to G.711's own precision (14-bit magnitude for mu-law, 13-bit for A-law), so that the
// decision levels are exactly those of G.711's tables 1a and 2a.

const ULAW_CLIP = 8159; // the largest mu-law decision value, in 14-bit units
const ULAW_BIAS = 33;
// Upper ends (exclusive, biased) of the eight mu-law segments, in 14-bit units.
const ULAW_SEGMENT_END = [0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000];
// Upper ends (exclusive) of the eight A-law segments, in 13-bit units.
const ALAW_SEGMENT_END = [0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000];

/** mu-law byte -> 16-bit sample: +-4 * ((2m + 33) * 2^s - 33), the standard's reconstruction value scaled to 16 bits. */
export const ULAW_TO_PCM: Int16Array = (() => {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const u = ~code & 0xff; // mu-law transmits every bit inverted
    const segment = (u >> 4) & 7;
    const step = u & 15;
    const magnitude = 4 * ((2 * step + 33) * (1 << segment) - ULAW_BIAS);
    table[code] = u & 0x80 ? -magnitude : magnitude;
  }
  return table;
})();

/** A-law byte -> 16-bit sample: the middle of the step's interval (table 1a), scaled from 13 to 16 bits. */
export const ALAW_TO_PCM: Int16Array = (() => {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const a = code ^ 0x55; // A-law transmits the even bits inverted
    const segment = (a >> 4) & 7;
    const step = a & 15;
    const magnitude = segment === 0 ? 2 * step + 1 : (2 * step + 33) << (segment - 1);
    table[code] = 8 * (a & 0x80 ? magnitude : -magnitude);
  }
  return table;
})();

/** One 16-bit sample to its mu-law byte. */
export function encodeUlawSample(sample: number): number {
  const negative = sample < 0;
  let magnitude = (negative ? -sample : sample) >> 2;
  if (magnitude > ULAW_CLIP) magnitude = ULAW_CLIP;
  magnitude += ULAW_BIAS;
  // The top decision value itself (8159 + 33 = 8192) would start a ninth segment: it is the top step of the eighth.
  if (magnitude >= 0x2000) return (negative ? 0x7f : 0xff) ^ 0x7f;
  let segment = 0;
  while (segment < 7 && magnitude >= (ULAW_SEGMENT_END[segment] as number)) segment++;
  const code = (segment << 4) | ((magnitude >> (segment + 1)) & 15);
  return (negative ? 0x7f : 0xff) ^ code;
}

/** One 16-bit sample to its A-law byte. */
export function encodeAlawSample(sample: number): number {
  const negative = sample < 0;
  const magnitude = Math.min((negative ? -sample : sample) >> 3, 4095);
  let segment = 0;
  while (segment < 7 && magnitude >= (ALAW_SEGMENT_END[segment] as number)) segment++;
  const step = (segment < 2 ? magnitude >> 1 : magnitude >> segment) & 15;
  return ((negative ? 0 : 0x80) | (segment << 4) | step) ^ 0x55;
}

/** PCMU bytes -> 16-bit PCM (one sample per byte). */
export function decodeUlaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ULAW_TO_PCM[bytes[i] as number] as number;
  return out;
}

/** PCMA bytes -> 16-bit PCM (one sample per byte). */
export function decodeAlaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ALAW_TO_PCM[bytes[i] as number] as number;
  return out;
}

/** 16-bit PCM -> PCMU bytes. */
export function encodeUlaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encodeUlawSample(samples[i] as number);
  return out;
}

/** 16-bit PCM -> PCMA bytes. */
export function encodeAlaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encodeAlawSample(samples[i] as number);
  return out;
}
