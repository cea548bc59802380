// The codecs against values from the standards, not values our own code computed:
// - ITU-T G.711 (11/88), Table 2a (mu-law) and Table 1a (A-law): the decoder output value of a code and the
//   decision values that bound its interval, in G.711's own units (mu-law on a scale of 8159, A-law of 4096 with
//   the half steps: 13 bits). 16-bit PCM carries them left-aligned: x4 for mu-law, x8 for A-law.
// - The transmitted character: mu-law inverts every bit (0xFF is +0), A-law the even bits (xor 0x55).
// - RFC 3551 4.5.11: L16 samples are in network byte order (big-endian).
import { describe, expect, test } from "vitest";
import {
  ALAW_TO_PCM,
  decodeAlaw,
  decodeL16,
  decodePayload,
  decodeUlaw,
  encodeAlaw,
  encodeAlawSample,
  encodeL16,
  encodePayload,
  encodeUlaw,
  encodeUlawSample,
  Resampler,
  resample,
  ULAW_TO_PCM,
} from "../src/codecs/index.js";
import { rms, sine } from "./helpers.js";

// [transmitted byte, G.711 Table 2a decoder output value (of 8159)]: the first and last step of each segment.
const ULAW_OUTPUT: Array<[number, number]> = [
  [0xff, 0],
  [0xfe, 2],
  [0xf0, 30],
  [0xef, 33],
  [0xe0, 93],
  [0xdf, 99],
  [0xd0, 219],
  [0xcf, 231],
  [0xbf, 495],
  [0xaf, 1023],
  [0x9f, 2079],
  [0x8f, 4191],
  [0x80, 8031],
  [0x7f, 0],
  [0x7e, -2],
  [0x00, -8031],
];

// [transmitted byte, G.711 Table 1a decoder output value (13-bit: of 4096 in half steps)].
const ALAW_OUTPUT: Array<[number, number]> = [
  [0xd5, 1],
  [0xd4, 3],
  [0xda, 31],
  [0xc5, 33],
  [0xf5, 66],
  [0xe5, 132],
  [0x95, 264],
  [0x85, 528],
  [0xb5, 1056],
  [0xa5, 2112],
  [0xaa, 4032],
  [0x55, -1],
  [0x2a, -4032],
];

describe("G.711 mu-law (PCMU)", () => {
  test.each(ULAW_OUTPUT)("byte 0x%s decodes to G.711's output value", (byte, value) => {
    expect(ULAW_TO_PCM[byte]).toBe(value * 4);
    expect(decodeUlaw(Uint8Array.of(byte))[0]).toBe(value * 4);
  });

  test("encodes by G.711's decision values: each interval's ends go to its code", () => {
    // [14-bit input, byte]: 0 is in [0, 1), 1 and 2 in [1, 3) (output 2), 30 in [29, 31), 31 starts segment 1,
    // 8158 is in the last step, and anything above the top decision value saturates there.
    const cases: Array<[number, number]> = [
      [0, 0xff],
      [1, 0xfe],
      [2, 0xfe],
      [3, 0xfd],
      [30, 0xf0],
      [31, 0xef],
      [94, 0xe0],
      [95, 0xdf],
      [8158, 0x80],
      [-1, 0x7e],
      [-8158, 0x00],
    ];
    for (const [input, byte] of cases) expect([input, encodeUlawSample(input * 4)]).toEqual([input, byte]);
    expect(encodeUlawSample(32767)).toBe(0x80);
    expect(encodeUlawSample(-32768)).toBe(0x00);
    // Bits below G.711's 14 are not enough to reach the next decision value.
    expect(encodeUlawSample(3)).toBe(0xff);
  });

  test("every code but -0 survives decode -> encode; the table is odd-symmetric and monotonic", () => {
    for (let code = 0; code < 256; code++) {
      const back = encodeUlaw(decodeUlaw(Uint8Array.of(code)))[0];
      expect(back).toBe(code === 0x7f ? 0xff : code); // -0 and +0 are one value in linear PCM
      expect(ULAW_TO_PCM[code]).toBe(0 - (ULAW_TO_PCM[code ^ 0x80] as number));
    }
    // Positive codes 0xFF down to 0x80 rise strictly.
    for (let code = 0xff; code > 0x80; code--)
      expect(ULAW_TO_PCM[code - 1] as number).toBeGreaterThan(ULAW_TO_PCM[code] as number);
  });
});

describe("G.711 A-law (PCMA)", () => {
  test.each(ALAW_OUTPUT)("byte 0x%s decodes to G.711's output value", (byte, value) => {
    expect(ALAW_TO_PCM[byte]).toBe(value * 8);
    expect(decodeAlaw(Uint8Array.of(byte))[0]).toBe(value * 8);
  });

  test("encodes by G.711's decision values", () => {
    // [13-bit input, byte]: [0, 2) -> output 1, [2, 4) -> 3, 32 starts segment 2 (output 33), 4095 saturates.
    const cases: Array<[number, number]> = [
      [0, 0xd5],
      [1, 0xd5],
      [2, 0xd4],
      [31, 0xda],
      [32, 0xc5],
      [64, 0xf5],
      [4095, 0xaa],
      [-1, 0x55],
      [-4095, 0x2a],
    ];
    for (const [input, byte] of cases) expect([input, encodeAlawSample(input * 8)]).toEqual([input, byte]);
    expect(encodeAlawSample(32767)).toBe(0xaa);
    expect(encodeAlawSample(-32768)).toBe(0x2a);
  });

  test("every code survives decode -> encode (A-law has no -0)", () => {
    for (let code = 0; code < 256; code++) {
      expect(encodeAlaw(decodeAlaw(Uint8Array.of(code)))[0]).toBe(code);
      expect(ALAW_TO_PCM[code]).toBe(0 - (ALAW_TO_PCM[code ^ 0x80] as number));
    }
  });
});

describe("L16", () => {
  test("is big-endian on the wire (RFC 3551), little-endian only when told", () => {
    expect(Array.from(decodeL16(Uint8Array.of(0x12, 0x34, 0xff, 0xfe)))).toEqual([0x1234, -2]);
    expect(Array.from(encodeL16(Int16Array.of(0x1234, -2)))).toEqual([0x12, 0x34, 0xff, 0xfe]);
    expect(Array.from(decodeL16(Uint8Array.of(0x34, 0x12), "little"))).toEqual([0x1234]);
    expect(Array.from(encodeL16(Int16Array.of(-32768, 32767)))).toEqual([0x80, 0x00, 0x7f, 0xff]);
  });

  test("a payload at an odd offset of a larger buffer decodes (no alignment assumed)", () => {
    const buffer = Uint8Array.of(0xaa, 0x01, 0x02, 0x03, 0x04);
    expect(Array.from(decodeL16(buffer.subarray(1)))).toEqual([0x0102, 0x0304]);
  });

  test("decodePayload / encodePayload name the codec as Telnyx does", () => {
    const pcm = Int16Array.of(0, 1000, -1000, 32767);
    expect(Array.from(decodePayload("L16", encodePayload("L16", pcm)))).toEqual(Array.from(pcm));
    expect(encodePayload("PCMU", pcm)).toEqual(encodeUlaw(pcm));
    expect(encodePayload("PCMA", pcm)).toEqual(encodeAlaw(pcm));
  });
});

/** Zero crossings per second / 2: the frequency of a clean tone. */
function frequencyOf(samples: Int16Array, rate: number, from: number, to: number): number {
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if ((samples[i - 1] as number) < 0 !== (samples[i] as number) < 0) crossings++;
  return (crossings * rate) / (2 * (to - from));
}

describe("resampling between Telnyx's rates", () => {
  const rates = [8000, 16000, 24000, 48000];
  const pairs = rates.flatMap((from) => rates.filter((to) => to !== from).map((to) => [from, to] as const));

  test.each(pairs)("%i -> %i Hz keeps a 440 Hz tone's pitch and level, and the length in time", (from, to) => {
    const input = sine(440, from, from / 2); // 500 ms
    const output = resample(input, from, to);
    expect(output.length).toBe(to / 2);
    // Away from the edges (the filter's warm-up and the silence flush() pads with).
    const a = Math.round(to * 0.05);
    const b = Math.round(to * 0.45);
    expect(frequencyOf(output, to, a, b)).toBeCloseTo(440, -1);
    const level = 20 * Math.log10(rms(output, a, b) / rms(input, Math.round(from * 0.05), Math.round(from * 0.45)));
    expect(Math.abs(level)).toBeLessThan(0.5); // dB
  });

  test("48 -> 8 kHz removes what 8 kHz cannot carry instead of folding it into speech", () => {
    // 6 kHz would alias to 2 kHz at 8 kHz; the filter must take it down by more than 40 dB.
    const input = sine(6000, 48000, 24000);
    const output = resample(input, 48000, 8000);
    const level = 20 * Math.log10(rms(output, 400, 3600) / rms(input));
    expect(level).toBeLessThan(-40);
  });

  test("chunk by chunk gives the same samples as all at once (the state carries across chunks)", () => {
    const input = sine(300, 8000, 1600);
    const whole = resample(input, 8000, 24000);
    const resampler = new Resampler(8000, 24000);
    const parts: number[] = [];
    for (let i = 0; i < input.length; i += 160) parts.push(...resampler.push(input.subarray(i, i + 160)));
    parts.push(...resampler.flush());
    expect(parts.length).toBe(whole.length);
    expect(parts).toEqual(Array.from(whole));
  });

  test("the same rate is a copy; a rate outside 1000-192000 Hz is refused", () => {
    const input = Int16Array.of(1, 2, 3);
    const same = resample(input, 16000, 16000);
    expect(Array.from(same)).toEqual([1, 2, 3]);
    expect(same).not.toBe(input);
    expect(() => new Resampler(8000, 500)).toThrow(/1000 to 192000/);
    expect(() => new Resampler(8000.5, 16000)).toThrow(RangeError);
  });
});
