// What a flow keeps in a call's `client_state`, which Telnyx echoes in every later webhook of the call: the
// app's state (so any instance can read it), the number of the command that set it (so an event tells which
// command it followed), for a dial, a token naming the dial before its call_control_id is known, and with
// telemetry, the call's traceparent (what Telnyx echoes is all that reaches whichever instance gets a webhook).
// Base64 of UTF-8 JSON, built with TextEncoder and btoa: no Buffer, so it runs on every runtime.
import { FlowStateError } from "./errors.js";

/** Base64 characters a flow puts in `client_state` at most (the spec sets no limit; Telnyx refuses long ones). */
export const DEFAULT_CLIENT_STATE_LIMIT = 4096;

export interface FlowTag<State> {
  /** The app's `call.state`. */
  state: State | undefined;
  /** The count of commands the flow had sent when this was set. */
  seq: number;
  /** Set by `flows.dial()` until the new call's id is known. */
  dial?: string | undefined;
  /** The instance that runs the call's flow (many-instance setups). */
  owner?: string | undefined;
  /** With telemetry enabled: the W3C traceparent of the call's trace, so that its webhooks join it. */
  trace?: string | undefined;
}

interface Wire {
  tv: 1;
  n: number;
  s?: unknown;
  d?: string;
  o?: string;
  t?: string;
}

export function encodeClientState<State>(tag: FlowTag<State>, limit: number): string {
  const wire: Wire = { tv: 1, n: tag.seq };
  if (tag.state !== undefined) wire.s = tag.state;
  if (tag.dial !== undefined) wire.d = tag.dial;
  if (tag.owner !== undefined) wire.o = tag.owner;
  if (tag.trace !== undefined) wire.t = tag.trace;
  let json: string;
  try {
    json = JSON.stringify(wire);
  } catch (error) {
    throw new FlowStateError(`call.state must be JSON-serialisable: ${(error as Error).message}`);
  }
  const encoded = toBase64(new TextEncoder().encode(json));
  // Telemetry never makes a command fail: a state that fits without the traceparent goes without it.
  if (encoded.length > limit && wire.t !== undefined) return encodeClientState({ ...tag, trace: undefined }, limit);
  if (encoded.length > limit) {
    throw new FlowStateError(
      `call.state is ${encoded.length} characters as client_state (base64 JSON), over the ${limit} allowed. ` +
        "Keep large data in your own store and put its key in call.state.",
    );
  }
  return encoded;
}

/** The flow's tag in a webhook's `client_state`, or undefined when it carries none (or someone else's). */
export function decodeClientState<State>(value: unknown): FlowTag<State> | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  try {
    const wire = JSON.parse(new TextDecoder().decode(fromBase64(value))) as Partial<Wire> | null;
    // Ours only if every field is as a flow writes it: a count is a whole number of commands, names are strings.
    if (wire?.tv !== 1 || !Number.isSafeInteger(wire.n) || (wire.n as number) < 0) return undefined;
    if ((wire.d !== undefined && typeof wire.d !== "string") || (wire.o !== undefined && typeof wire.o !== "string")) {
      return undefined;
    }
    return {
      state: wire.s as State | undefined,
      seq: wire.n as number,
      dial: typeof wire.d === "string" ? wire.d : undefined,
      owner: typeof wire.o === "string" ? wire.o : undefined,
      trace: typeof wire.t === "string" ? wire.t : undefined,
    };
  } catch {
    return undefined;
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
