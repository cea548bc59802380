// Someone calls one of the app's numbers. One check of what describes that call, for both ways in: the
// programmatic `sim.inboundCall({...})` (camelCase, a TypeError naming the option) and the far end's
// `POST /_simulator/inbound_calls` (snake_case, a 422 pointing at the field).
import { type FarEndSpeech, speechProblem } from "../media/far-end-audio.js";
import { base64Problem, phoneNumberProblem, webhookUrlProblem } from "../schema/prose-checks.js";
import { digitsProblem } from "./digits.js";

export interface InboundCallOptions {
  /** The caller's number: +E164 or a SIP URI, as a dial's `from`. */
  from: string;
  /** The number called (one of the app's): +E164 or a SIP URI. */
  to: string;
  /** The call control application (connection) the number belongs to; its webhook URL gets the events. */
  connectionId: string;
  /** Overrides the application's webhook URL for this call. */
  webhookUrl?: string | undefined;
  /** Base64, echoed in the call's webhooks. */
  clientState?: string | undefined;
  /** Digits the caller presses when the app first gathers (0-9, A-D, * and #). */
  digits?: string | undefined;
  /** What the caller says once the call's first media stream starts (its first words). */
  says?: FarEndSpeech | undefined;
}

/** The wire name of each option, for the far end's errors. */
export const INBOUND_WIRE_NAMES: Record<keyof InboundCallOptions, string> = {
  from: "from",
  to: "to",
  connectionId: "connection_id",
  webhookUrl: "webhook_url",
  clientState: "client_state",
  digits: "digits",
  says: "says",
};

/** Bad inbound call input: which option, and what is wrong with it ("must be ..."). */
export class InvalidInboundCall extends TypeError {
  override name = "InvalidInboundCall";
  constructor(
    readonly option: keyof InboundCallOptions,
    readonly problem: string,
  ) {
    super(`inboundCall: ${option} ${problem}`);
  }
}

/** Checks an inbound call's description; returns it typed, or throws InvalidInboundCall for the first problem. */
export function checkInboundCall(input: unknown): InboundCallOptions {
  if (input === null || typeof input !== "object") {
    throw new InvalidInboundCall("from", "is required: pass { from, to, connectionId }");
  }
  const o = input as Record<string, unknown>;
  for (const key of ["from", "to", "connectionId"] as const) {
    if (typeof o[key] !== "string" || o[key] === "")
      throw new InvalidInboundCall(key, "is required (a non-empty string)");
  }
  for (const key of ["webhookUrl", "clientState", "digits"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "string") throw new InvalidInboundCall(key, "must be a string");
  }
  const problems: Array<[keyof InboundCallOptions, string | undefined]> = [
    ["from", phoneNumberProblem(o.from)],
    ["to", phoneNumberProblem(o.to)],
    ["webhookUrl", o.webhookUrl === undefined ? undefined : webhookUrlProblem(o.webhookUrl)],
    ["clientState", o.clientState === undefined ? undefined : base64Problem(o.clientState)],
    ["digits", o.digits === undefined ? undefined : digitsProblem(o.digits as string)],
    ["says", o.says === undefined ? undefined : speechProblem(o.says)],
  ];
  for (const [option, problem] of problems) if (problem) throw new InvalidInboundCall(option, problem);
  return o as unknown as InboundCallOptions;
}
