// The checks of `SimCall.sendAudio`, and the error it throws: nothing of a refused call to it is queued.
import { quote } from "../errors.js";

/** The most a stream may hold of what the far end says and the app has not been sent yet: one minute. */
export const MAX_SPEECH_QUEUED_MS = 60_000;

/** What a scripted far end says once the call's first media stream starts (`inboundCall`, `sim.farEnd`). */
export interface FarEndSpeech {
  /** 16-bit mono PCM. */
  pcm: Int16Array;
  sampleRate: number;
}

/** What is wrong with `says` as a script's speech ("must ..."), or undefined when nothing is. */
export function speechProblem(says: unknown): string | undefined {
  const o = says as { pcm?: unknown; sampleRate?: unknown } | null;
  if (o === null || typeof o !== "object") return "must be { pcm, sampleRate }";
  try {
    const sampleRate = checkAudio(o.pcm, o);
    if ((o.pcm as Int16Array).length / sampleRate > MAX_SPEECH_QUEUED_MS / 1000) {
      return `must be at most ${MAX_SPEECH_QUEUED_MS / 1000} s long (what a stream queues)`;
    }
  } catch (error) {
    return (error as Error).message.replace(/^sendAudio\(pcm, \{ sampleRate \}\): /, "");
  }
  return undefined;
}

/** Why `sendAudio` was refused. */
export type FarEndAudioRefusal = "call_ended" | "no_stream" | "invalid_audio" | "too_much_queued";

/** Thrown by `SimCall.sendAudio`: `reason` says why, the message what to do. */
export class FarEndAudioRefused extends RangeError {
  override name = "FarEndAudioRefused";
  constructor(
    readonly reason: FarEndAudioRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** Throws `invalid_audio` unless `pcm` is an Int16Array and `sampleRate` an integer from 1000 to 192000. */
export function checkAudio(pcm: unknown, options: unknown): number {
  if (!(pcm instanceof Int16Array)) {
    throw new FarEndAudioRefused(
      "invalid_audio",
      "sendAudio(pcm, { sampleRate }): pcm must be an Int16Array of 16-bit mono samples " +
        "(from a Buffer of s16le: new Int16Array(buf.buffer, buf.byteOffset, buf.length / 2)).",
    );
  }
  const sampleRate = (options as { sampleRate?: unknown } | undefined)?.sampleRate;
  if (typeof sampleRate !== "number" || !Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 192000) {
    throw new FarEndAudioRefused(
      "invalid_audio",
      `sendAudio(pcm, { sampleRate }): sampleRate must be the PCM's rate in Hz, an integer from 1000 to 192000, got ${quote(sampleRate)}.`,
    );
  }
  return sampleRate;
}
