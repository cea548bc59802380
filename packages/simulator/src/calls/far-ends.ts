// What the people at numbers the app calls will do: a test scripts the far end of the next outbound call to a
// number (a dial, or a transfer's new leg), as `inboundCall({ digits })` scripts a caller.
import { type FarEndSpeech, speechProblem } from "../media/far-end-audio.js";
import { digitsProblem } from "./digits.js";
import { digitsOf } from "./outcomes.js";

export interface FarEndScript {
  /** Pressed at the call's gathers once it is answered (FIFO, as a caller typing). */
  digits?: string | undefined;
  /** Said once the call's first media stream starts (its first words), as `call.sendAudio` would. */
  says?: FarEndSpeech | undefined;
}

export class FarEnds {
  readonly #scripts = new Map<string, FarEndScript[]>();

  /** The next outbound call to `number` gets `script` (each call takes one, in the order they were given). */
  expect(number: string, script: FarEndScript): void {
    const key = digitsOf(number);
    if (!key) throw new TypeError(`farEnd(number): "${number}" has no digits; give the number the app will dial`);
    const digits = script?.digits;
    const problem =
      digits === undefined || typeof digits === "string" ? digitsProblem(digits ?? "") : "must be a string";
    if (problem) throw new TypeError(`farEnd(number, { digits }): digits ${problem}`);
    const speech = script.says === undefined ? undefined : speechProblem(script.says);
    if (speech) throw new TypeError(`farEnd(number, { says }): says ${speech}`);
    this.#scripts.set(key, [...(this.#scripts.get(key) ?? []), script]);
  }

  /** The script of a call to `number` being placed now, if one was given. */
  take(number: string): FarEndScript | undefined {
    const key = digitsOf(number);
    const queue = this.#scripts.get(key);
    const script = queue?.shift();
    if (queue?.length === 0) this.#scripts.delete(key);
    return script;
  }
}
