// Sample-rate conversion between any two rates (Telnyx's 8, 16, 22.05, 24 and 48 kHz among them), with a
// windowed-sinc low-pass filter evaluated polyphase: the ratio is reduced to L/M, every output sample falls on
// one of L phases between two input samples, and each phase's taps are computed once per pair of rates.
//
// Why windowed sinc and not linear interpolation: linear interpolation folds everything above the lower rate's
// Nyquist back into the band (48 -> 8 kHz would alias 4-24 kHz into speech), and its own response droops in the
// passband. The filter here: cutoff at 0.85 of the lower Nyquist frequency (3.4 kHz at 8 kHz), a Blackman
// window over 20 zero crossings each side. What the tests measure on it is in the README ("Resampling").
//
// Latency: HALF_ZEROS / cutoff input samples (about 3 ms at 8 kHz, 0.5 ms at 48 kHz) before an output can be
// computed; `flush()` pads the end with silence to emit the rest.

const HALF_ZEROS = 20;
const CUTOFF = 0.85;

interface Filter {
  up: number; // L
  down: number; // M
  half: number; // taps each side, in input samples
  taps: Float32Array; // phase-major: taps[phase * 2 * half + k]
}

const filters = new Map<string, Filter>();

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function filterFor(from: number, to: number): Filter {
  const key = `${from}:${to}`;
  const cached = filters.get(key);
  if (cached) return cached;
  const g = gcd(from, to);
  const up = to / g;
  const down = from / g;
  // Cutoff relative to the input's Nyquist frequency: the lower of the two rates sets it.
  const fc = CUTOFF * Math.min(1, to / from);
  const half = Math.ceil(HALF_ZEROS / fc);
  const width = 2 * half;
  const taps = new Float32Array(up * width);
  for (let phase = 0; phase < up; phase++) {
    const offset = phase / up; // where the output falls after input sample i, in input samples
    let sum = 0;
    for (let k = 0; k < width; k++) {
      // Tap k multiplies input sample i - half + 1 + k; its distance from the output's instant:
      const t = k - half + 1 - offset;
      const x = fc * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = t / half; // -1..1 across the window
      const blackman = Math.abs(w) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w);
      const tap = fc * sinc * blackman;
      taps[phase * width + k] = tap;
      sum += tap;
    }
    // Unity gain at DC for every phase, so that a constant stays constant and no phase rings louder than another.
    for (let k = 0; k < width; k++) taps[phase * width + k] = (taps[phase * width + k] as number) / sum;
  }
  const filter = { up, down, half, taps };
  filters.set(key, filter);
  return filter;
}

/** A stateful converter from one sample rate to another: feed it chunks in order, then `flush()`. */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  readonly #filter: Filter | undefined;
  // Input not yet consumed, starting `half - 1` samples before the next output's input sample.
  #buffer: Float32Array;
  #length: number;
  // The next output's instant, in 1/L-ths of an input sample, from the start of #buffer's first real sample.
  #position = 0;

  constructor(fromRate: number, toRate: number) {
    for (const rate of [fromRate, toRate]) {
      if (!Number.isInteger(rate) || rate < 1000 || rate > 192000) {
        throw new RangeError(`sample rate ${rate} is not an integer from 1000 to 192000 Hz`);
      }
    }
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.#filter = fromRate === toRate ? undefined : filterFor(fromRate, toRate);
    const half = this.#filter?.half ?? 0;
    // Silence before the first sample, so that the first output is centred on it.
    this.#buffer = new Float32Array(Math.max(256, 4 * half));
    this.#length = Math.max(0, half - 1);
  }

  /** Converts the next chunk; returns the samples that can be computed so far. */
  push(samples: Int16Array): Int16Array {
    if (!this.#filter) return samples.slice();
    this.#append(samples);
    return this.#drain(false);
  }

  /** Emits what is left, as if silence followed: call once at the end of the stream. */
  flush(): Int16Array {
    if (!this.#filter) return new Int16Array(0);
    const out = this.#drain(true);
    this.#length = this.#filter.half - 1;
    this.#position = 0;
    this.#buffer.fill(0);
    return out;
  }

  #append(samples: Int16Array): void {
    if (this.#length + samples.length > this.#buffer.length) {
      const grown = new Float32Array(Math.max(this.#buffer.length * 2, this.#length + samples.length));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    for (let i = 0; i < samples.length; i++) this.#buffer[this.#length + i] = samples[i] as number;
    this.#length += samples.length;
  }

  #drain(final: boolean): Int16Array {
    const { up, down, half, taps } = this.#filter as Filter;
    const width = 2 * half;
    const lead = half - 1; // history samples before the real ones
    const real = this.#length - lead;
    // Outputs fall at position/up (in real samples); one needs samples up to floor(...) + half.
    // When final, the remaining outputs are those before the end of the real input, with silence after it.
    const limit = final ? real * up : (real - half) * up;
    const count = limit > this.#position ? Math.ceil((limit - this.#position) / down) : 0;
    const out = new Int16Array(count);
    if (final) this.#append(new Int16Array(width));
    const buffer = this.#buffer;
    let position = this.#position;
    for (let n = 0; n < count; n++) {
      const index = Math.floor(position / up);
      const phase = position - index * up;
      const base = phase * width;
      let acc = 0;
      // Input sample index - half + 1 + k sits at buffer[index + k] (lead = half - 1 history samples first).
      for (let k = 0; k < width; k++) acc += (buffer[index + k] as number) * (taps[base + k] as number);
      out[n] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
      position += down;
    }
    // Keep only what later outputs still need: from `half - 1` samples before the next output's sample on.
    const consumed = Math.floor(position / up);
    if (consumed > 0) {
      buffer.copyWithin(0, consumed, this.#length);
      this.#length -= consumed;
      position -= consumed * up;
    }
    this.#position = position;
    return out;
  }
}

/** Converts a whole signal at once. */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return samples.slice();
  const resampler = new Resampler(fromRate, toRate);
  const head = resampler.push(samples);
  const tail = resampler.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
