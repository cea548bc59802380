// `/_simulator/*`: the far end of calls, over HTTP, for apps that run the simulator as a separate process
// (the CLI). Same bearer key as the API. Everything here is also on the programmatic `Simulator` object.
import { DigitsRefused, digitsProblem } from "../calls/digits.js";
import { checkInboundCall, INBOUND_WIRE_NAMES, type InboundCallOptions, InvalidInboundCall } from "../calls/inbound.js";
import type { CallEngine } from "../calls/state-machine.js";
import type { HangupCause, SimCall } from "../calls/types.js";
import { farEndSummary } from "../calls/wire.js";
import { FarEndAudioRefused, type FarEndSpeech, speechProblem } from "../media/far-end-audio.js";
import { cannotExecute, invalidParameter, quote, resourceNotFound, routeNotFound } from "../errors.js";
import { payloadEnum } from "../schema/events.js";
import { safeDecode } from "./request.js";

export interface FarEndContext {
  engine: CallEngine;
  inboundCall(options: InboundCallOptions): SimCall;
}

/** The causes the far end may hang up with: the spec's enum for `call.hangup`'s `hangup_cause`. */
const hangupCauses = () => payloadEnum("call.hangup", "hangup_cause");

function requiredString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || value === "") {
    throw invalidParameter(`'${key}' is required and must be a non-empty string.`, { pointer: `/${key}` });
  }
  return value;
}

function inboundCall(ctx: FarEndContext, body: Record<string, unknown>): SimCall {
  const options = {
    from: body.from,
    to: body.to,
    connectionId: body.connection_id,
    webhookUrl: body.webhook_url,
    clientState: body.client_state,
    digits: body.digits,
    says: readSays(body.says),
  };
  try {
    return ctx.inboundCall(checkInboundCall(options));
  } catch (error) {
    if (!(error instanceof InvalidInboundCall)) throw error;
    const name = INBOUND_WIRE_NAMES[error.option];
    throw invalidParameter(`'${name}' ${error.problem}.`, { pointer: `/${name}` });
  }
}

/** `audio` as the far end routes take it: base64 of 16-bit little-endian mono PCM (what `Int16Array` holds on every common CPU). */
function pcmOf(audio: unknown, pointer: string): Int16Array {
  if (typeof audio !== "string" || audio === "" || !/^[A-Za-z0-9+/]*={0,2}$/.test(audio)) {
    throw invalidParameter("'audio' must be base64 of 16-bit little-endian mono PCM.", { pointer });
  }
  const bytes = Buffer.from(audio, "base64");
  if (bytes.length % 2 !== 0) {
    throw invalidParameter("'audio' must be whole 16-bit samples: an even number of bytes.", { pointer });
  }
  const pcm = new Int16Array(bytes.length / 2);
  for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
  return pcm;
}

/** A script's `says: { audio, sample_rate }` as `{ pcm, sampleRate }` (checked further with the script). */
function readSays(says: unknown): FarEndSpeech | undefined {
  if (says === undefined) return undefined;
  if (says === null || typeof says !== "object") {
    throw invalidParameter("'says' must be { audio, sample_rate }.", { pointer: "/says" });
  }
  const o = says as { audio?: unknown; sample_rate?: unknown };
  return { pcm: pcmOf(o.audio, "/says/audio"), sampleRate: o.sample_rate as number };
}

/** `send_audio { audio, sample_rate }`: the far end says it now. */
function sendAudio(call: SimCall, body: Record<string, unknown>): number {
  const pcm = pcmOf(body.audio, "/audio");
  try {
    return call.sendAudio(pcm, { sampleRate: body.sample_rate as number });
  } catch (error) {
    if (!(error instanceof FarEndAudioRefused)) throw error;
    if (error.reason === "invalid_audio") throw invalidParameter(error.message, { pointer: "/sample_rate" });
    throw cannotExecute(error.message);
  }
}

export function handleFarEnd(ctx: FarEndContext, method: string, path: string, body: Record<string, unknown>) {
  if (method === "POST" && path === "/inbound_calls") {
    return { status: 201, body: { data: farEndSummary(inboundCall(ctx, body)) } };
  }
  if (method === "POST" && path === "/far_ends") {
    const number = requiredString(body, "number");
    const digits = body.digits ?? "";
    if (typeof digits !== "string") {
      throw invalidParameter(`'digits' must be a string, got ${quote(digits)}.`, { pointer: "/digits" });
    }
    const problem = digitsProblem(digits);
    if (problem) throw invalidParameter(`'digits' ${problem}.`, { pointer: "/digits" });
    if (!/\d/.test(number))
      throw invalidParameter(`'number' must be a phone number, got ${quote(number)}.`, { pointer: "/number" });
    const says = readSays(body.says);
    const speech = says === undefined ? undefined : speechProblem(says);
    if (speech) throw invalidParameter(`'says' ${speech}.`, { pointer: "/says" });
    ctx.engine.farEnds.expect(number, { digits, says });
    return { status: 201, body: { data: { number, digits } } };
  }
  if (method === "GET" && path === "/calls") {
    return {
      status: 200,
      body: { data: [...ctx.engine.calls.values()].map((c) => farEndSummary(ctx.engine.handle(c))) },
    };
  }
  const heard = /^\/calls\/([^/]+)\/received_audio$/.exec(path);
  if (method === "GET" && heard) {
    // Readable after the hangup too: what the caller heard is kept as long as the call is.
    const id = safeDecode(heard[1]!);
    const record = ctx.engine.calls.get(id);
    if (!record) throw resourceNotFound("Call", id);
    const { pcm, sampleRate, ms, droppedMs } = ctx.engine.handle(record).receivedAudio();
    const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    return {
      status: 200,
      body: { data: { audio: bytes.toString("base64"), sample_rate: sampleRate, ms, dropped_ms: droppedMs } },
    };
  }
  const m = /^\/calls\/([^/]+)\/(press_digits|hangup|send_audio)$/.exec(path);
  if (method === "POST" && m) {
    const id = safeDecode(m[1]!);
    const record = ctx.engine.calls.get(id);
    if (!record) throw resourceNotFound("Call", id);
    const call = ctx.engine.handle(record);
    if (call.state === "ended") {
      throw invalidParameter(`Call ${quote(id)} has already ended.`, { parameter: "call_control_id" });
    }
    if (m[2] === "send_audio") {
      return { status: 200, body: { data: { ms: sendAudio(call, body) } } };
    }
    if (m[2] === "press_digits") {
      const digits = requiredString(body, "digits");
      const problem = digitsProblem(digits);
      if (problem) throw invalidParameter(`'digits' ${problem}.`, { pointer: "/digits" });
      try {
        call.pressDigits(digits);
      } catch (error) {
        // The digits are fine, the call is full of digits nothing has taken yet.
        if (error instanceof DigitsRefused && error.reason === "too_many_waiting") throw cannotExecute(error.message);
        throw error;
      }
    } else {
      const cause = body.cause ?? "normal_clearing";
      if (typeof cause !== "string" || !hangupCauses().includes(cause)) {
        throw invalidParameter(
          `'cause' must be one of ${hangupCauses()
            .map((c) => `"${c}"`)
            .join(", ")}.`,
          {
            pointer: "/cause",
          },
        );
      }
      call.hangup(cause as HangupCause);
    }
    return { status: 200, body: { data: farEndSummary(call) } };
  }
  throw routeNotFound(method, `/_simulator${path}`);
}
