// What each call command does to the call. The handler table is typed by ActionName, so an action added to
// the spec fails the type check here until it is handled. The shared checks (unknown call, ended call,
// repeated command_id, client_state) run once in `runAction`, before any handler.
import type { ActionBodies, ActionName } from "@telnyx-voice/types";
import { callEnded, callNotAnswered, cannotExecute, invalidParameter, quote, resourceNotFound } from "../errors.js";
import { checkBase64, checkNumber } from "../schema/prose-checks.js";
import { checkRoomForDigits, DigitsRefused, MAX_DIGITS_AT_ONCE } from "./digits.js";
import { uuid } from "./ids.js";
import { readMachineDetection, readRecordFromAnswer, readRecordStart, readStream } from "./media-settings.js";
import type { CallEngine } from "./state-machine.js";
import type { CallRecord } from "./types.js";
import { readWebhookSettings } from "./webhook-settings.js";

export interface ActionContext {
  engine: CallEngine;
}

/** Extra fields of `data` next to `result: "ok"` (recording_id, conversation_id...). */
type ActionResult = Record<string, string> | undefined;
type Handler<N extends ActionName> = (ctx: ActionContext, call: CallRecord, body: ActionBodies[N]) => ActionResult;

const isAnswered = (call: CallRecord) => call.state === "answered" || call.state === "bridged";

function requireAnswered(call: CallRecord): void {
  if (!isAnswered(call)) throw callNotAnswered();
}

function requireRinging(call: CallRecord, command: string): void {
  if (call.direction !== "incoming")
    throw cannotExecute(`${command} applies to incoming calls; this call is outgoing.`);
  if (call.state !== "initiated") throw cannotExecute(`${command} needs a ringing call; this call is ${call.state}.`);
}

/** Commands the simulator accepts without a visible effect beyond `result: "ok"` (documented in the README). */
const accepted: Handler<ActionName> = (_ctx, call) => {
  requireAnswered(call);
  return undefined;
};

/** Commands whose only effect is a start/stop event the slice declares. */
function emitting<N extends ActionName>(eventType: Parameters<CallEngine["emit"]>[1], extra = {}): Handler<N> {
  return ({ engine }, call) => {
    requireAnswered(call);
    engine.emit(call, eventType, extra);
    return undefined;
  };
}

/** gather_using_speak / gather_using_audio: a digit gather whose prompt the simulator does not play. */
function gathering(
  kind: "gather_using_speak" | "gather_using_audio",
): Handler<"gatherUsingSpeak" | "gatherUsingAudio"> {
  return ({ engine }, call, body) => {
    requireAnswered(call);
    engine.startGather(call, { kind, gatherId: undefined, ...gatherDefaults(body) }, body.timeout_millis ?? 60000);
    return undefined;
  };
}

const gatherDefaults = (b: {
  minimum_digits?: number;
  maximum_digits?: number;
  terminating_digit?: string;
  valid_digits?: string;
}) => ({
  minimum: b.minimum_digits ?? 1,
  maximum: b.maximum_digits ?? 128,
  terminatingDigit: b.terminating_digit ?? "#",
  validDigits: b.valid_digits ?? "0123456789#*",
});

/** `loop`: a count, or "infinity" (until stopped); the spec's default is 1. */
function loopCount(loop: unknown): number {
  if (loop === "infinity") return Number.POSITIVE_INFINITY;
  if (loop === undefined) return 1;
  const n = typeof loop === "string" ? Number(loop) : loop;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw invalidParameter(
      `'loop' must be a whole number of times from 1, or "infinity", got ${quote(String(loop))}.`,
      {
        pointer: "/loop",
      },
    );
  }
  return n;
}

/** Accepted like `accepted`, answering with a fresh id under `field` (conversation_id, conversation_relay_id). */
function acceptedWithId(field: string): Handler<ActionName> {
  return (ctx, call, body) => accepted(ctx, call, body) ?? { [field]: uuid() };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * ai_assistant_join's answer: the spec declares its `conversation_id` a uuid (as are the ids of Telnyx's AI
 * conversations, `Conversation.id`), while the request's may be any string (its example is "v3:abc123"). The id
 * is echoed when it is a uuid; otherwise it names no conversation the simulator could know, and rather than invent
 * one, the answer leaves the field out (the schema does not require it).
 */
function joinedConversation(conversationId: string): ActionResult {
  return UUID.test(conversationId) ? { conversation_id: conversationId } : undefined;
}

/**
 * What each call command does. Typed per action where the slice has it, but written as an assertion rather
 * than an annotation so the table still compiles against a spec that lacks one of these actions; an action
 * the table lacks (new in a newer spec) is served by `accepted`. Either way `pnpm generate` from another
 * spec keeps the simulator building.
 */
export const actionHandlers = {
  answer: ({ engine }, call, body) => {
    requireRinging(call, "answer");
    // Everything is read (and checked) before the call changes.
    const webhooks = readWebhookSettings(body);
    const recording = readRecordFromAnswer(body);
    const stream = readStream(body);
    if (webhooks.webhookUrl) call.webhookUrl = webhooks.webhookUrl;
    if (webhooks.eventUrls) call.eventUrls = webhooks.eventUrls;
    if (webhooks.retryPolicies) call.retryPolicies = webhooks.retryPolicies;
    const recordingId = recording ? uuid() : undefined;
    engine.answer(call, { recording: recording && { id: recordingId!, settings: recording }, stream });
    return recordingId ? { recording_id: recordingId } : undefined;
  },
  reject: ({ engine }, call, body) => {
    requireRinging(call, "reject");
    const busy = body.cause === "USER_BUSY";
    engine.end(call, busy ? "user_busy" : "call_rejected", "callee", busy ? "486" : "603");
    return undefined;
  },
  hangup: ({ engine }, call) => {
    engine.end(call, "normal_clearing", "caller");
    return undefined;
  },
  speak: ({ engine }, call) => {
    requireAnswered(call);
    engine.speak(call);
    return undefined;
  },
  playbackStart: ({ engine }, call, body) => {
    requireAnswered(call);
    if (!body.audio_url && !body.media_name && !body.playback_content) {
      throw invalidParameter("One of 'audio_url', 'media_name' or 'playback_content' is required.", {
        pointer: "/audio_url",
      });
    }
    engine.playback(call, body.audio_url, undefined, loopCount(body.loop));
    return undefined;
  },
  playbackStop: ({ engine }, call) => {
    requireAnswered(call);
    engine.stopMedia(call);
    return undefined;
  },
  gather: ({ engine }, call, body) => {
    requireAnswered(call);
    engine.startGather(
      call,
      { kind: "gather", gatherId: body.gather_id, ...gatherDefaults(body) },
      body.timeout_millis ?? 60000,
    );
    return undefined;
  },
  gatherUsingSpeak: gathering("gather_using_speak"),
  gatherUsingAudio: gathering("gather_using_audio"),
  gatherStop: ({ engine }, call) => {
    requireAnswered(call);
    engine.finishGather(call, "cancelled");
    return undefined;
  },
  sendDtmf: ({ engine }, call, body) => {
    requireAnswered(call);
    if (!/^[0-9A-Dw*#]+$/.test(body.digits)) {
      throw invalidParameter("'digits' may contain only 0-9, A-D, *, # and w (a 0.5 s pause).", { pointer: "/digits" });
    }
    // As for the far end's presses: each digit is an event on the peer (see MAX_DIGITS_AT_ONCE).
    if (body.digits.length > MAX_DIGITS_AT_ONCE) {
      throw invalidParameter(
        `'digits' may hold at most ${MAX_DIGITS_AT_ONCE} characters at once, got ${body.digits.length}: send longer input in several commands.`,
        { pointer: "/digits" },
      );
    }
    // The digits go to the far end; if that is another simulated leg, it hears them.
    const peer = call.bridgedWith ? engine.calls.get(call.bridgedWith) : undefined;
    if (peer) {
      const digits = body.digits.replaceAll("w", "");
      try {
        checkRoomForDigits(peer, digits.length);
      } catch (error) {
        if (error instanceof DigitsRefused) throw cannotExecute(`The bridged leg cannot take them: ${error.message}`);
        throw error;
      }
      engine.enterDigits(peer, digits);
    }
    return undefined;
  },
  bridge: ({ engine }, call, body) => {
    requireAnswered(call);
    const other = engine.calls.get(body.call_control_id);
    if (!other) {
      throw invalidParameter(`No call has call_control_id ${quote(body.call_control_id)}.`, {
        pointer: "/call_control_id",
      });
    }
    if (other === call) throw invalidParameter("A call cannot be bridged to itself.", { pointer: "/call_control_id" });
    if (other.state === "ended")
      throw invalidParameter("The call to bridge to has already ended.", { pointer: "/call_control_id" });
    if (!isAnswered(other))
      throw invalidParameter("The call to bridge to has not been answered yet.", { pointer: "/call_control_id" });
    if (call.bridgedWith || other.bridgedWith) throw cannotExecute("One of the calls is already bridged.");
    // A transfer still ringing would connect its leg to this call when answered, and a call has one peer: the
    // bridge is refused until the transfer is answered (then the call is bridged) or fails.
    for (const leg of [call, other]) {
      if (leg.transferLeg) {
        throw cannotExecute(
          `Call ${quote(leg.callControlId)} has a transfer ringing; bridge it once the transfer has failed, or hang up its new leg ${quote(leg.transferLeg)}.`,
        );
      }
    }
    engine.connect(call, other, body.park_after_unbridge === "self");
    return undefined;
  },
  transfer: ({ engine }, call, body) => {
    if (!isAnswered(call) && !(call.direction === "incoming" && call.state === "initiated")) throw callNotAnswered();
    if (call.bridgedWith)
      throw cannotExecute("A bridged call cannot be transferred; unbridge or hang up the other leg.");
    if (call.transferLeg)
      throw cannotExecute("A transfer is already in progress on this call; wait for it to answer or fail.");
    checkNumber(body.to, "/to");
    checkBase64(body.target_leg_client_state, "/target_leg_client_state");
    // The new leg reports where the transfer says, else where the call it is transferred from reports.
    const webhooks = readWebhookSettings(body);
    // Answering machine detection runs on the new leg, once its far end answers.
    const machineDetection = readMachineDetection(body);
    engine.transfer(call, {
      from: body.from ?? call.to,
      to: body.to,
      webhookUrl: webhooks.webhookUrl ?? call.webhookUrl,
      eventUrls: webhooks.eventUrls ?? new Map(call.eventUrls),
      retryPolicies: webhooks.retryPolicies ?? new Map(call.retryPolicies),
      clientState: body.target_leg_client_state,
      timeLimitSecs: body.time_limit_secs,
      onAnswer: { machineDetection },
    });
    return undefined;
  },
  recordStart: ({ engine }, call, body) => {
    requireAnswered(call);
    if (call.recording) throw cannotExecute("The call is already being recorded.");
    engine.recordings.start(call, uuid(), readRecordStart(body));
    return undefined;
  },
  recordStop: ({ engine }, call, body) => {
    requireAnswered(call);
    if (!call.recording) throw cannotExecute("The call is not being recorded.");
    if (body.recording_id !== undefined && body.recording_id !== call.recording.id) {
      throw invalidParameter(
        `The call's recording is ${quote(call.recording.id)}, not ${quote(body.recording_id)}; leave recording_id out to stop it.`,
        { pointer: "/recording_id" },
      );
    }
    engine.recordings.stop(call);
    return undefined;
  },
  recordPause: accepted,
  recordResume: accepted,
  clientStateUpdate: () => undefined,
  enqueue: ({ engine }, call, body) => {
    requireAnswered(call);
    engine.emit(call, "call.enqueued", { queue: body.queue_name, current_position: 1, queue_avg_wait_time_secs: 0 });
    return undefined;
  },
  leaveQueue: emitting("call.dequeued", { reason: "leave", queue_position: 1, wait_time_secs: 0 }),
  forkStart: emitting("call.fork.started"),
  forkStop: emitting("call.fork.stopped"),
  streamingStart: ({ engine }, call, body) => {
    requireAnswered(call);
    const stream = readStream(body);
    if (!stream) {
      throw invalidParameter(
        "'stream_url' is required: the simulator streams to WebSockets (ws:// or wss://); Dialogflow is not simulated.",
        { pointer: "/stream_url" },
      );
    }
    engine.streams.start(call, stream);
    return undefined;
  },
  streamingStop: ({ engine }, call, body) => {
    requireAnswered(call);
    if (body.stream_id !== undefined && !call.streams.has(body.stream_id)) {
      throw invalidParameter(`The call has no running stream ${quote(body.stream_id)}.`, { pointer: "/stream_id" });
    }
    // Without a stream_id, every stream of the call (none is fine: there is nothing left to stop).
    engine.streams.stop(call, body.stream_id);
    return undefined;
  },
  siprecStart: emitting("siprec.started"),
  siprecStop: emitting("siprec.stopped"),
  refer: ({ engine }, call) => {
    requireAnswered(call);
    engine.emit(call, "call.refer.started", { sip_notify_response: 100 });
    engine.emit(call, "call.refer.completed", { sip_notify_response: 200 });
    return undefined;
  },
  sendSipInfo: accepted,
  suppressionStart: accepted,
  suppressionStop: accepted,
  switchSupervisorRole: accepted,
  transcriptionStart: accepted,
  transcriptionStop: accepted,
  aiAssistantStart: acceptedWithId("conversation_id"),
  aiAssistantStop: accepted,
  aiAssistantJoin: (ctx, call, body) => accepted(ctx, call, body) ?? joinedConversation(body.conversation_id),
  aiAssistantAddMessages: accepted,
  gatherUsingAi: acceptedWithId("conversation_id"),
  conversationRelayStart: acceptedWithId("conversation_relay_id"),
  conversationRelayStop: accepted,
} as { [N in ActionName]?: Handler<N> };

/** `send_sip_info` -> `sendSipInfo`. */
export const actionNameOf = (segment: string): string =>
  segment.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Runs one call command: 404 for an unknown call, 422/90018 once it has ended, the stored response for a
 * repeated `command_id` (not executed again), then the handler. Returns the response body.
 */
export function runAction(ctx: ActionContext, segment: string, callControlId: string, body: Record<string, unknown>) {
  const call = ctx.engine.calls.get(callControlId);
  if (!call) throw resourceNotFound("Call", callControlId);
  const commandId = typeof body.command_id === "string" ? body.command_id : undefined;
  if (commandId !== undefined && call.commandResults.has(commandId)) return call.commandResults.get(commandId);
  if (call.state === "ended") throw callEnded();
  const name = actionNameOf(segment) as ActionName;
  // The router only reaches here for action paths of the slice, so an action without its own handler is real.
  const handler = (actionHandlers[name] as Handler<ActionName> | undefined) ?? accepted;
  checkBase64(body.client_state, "/client_state");
  const previousState = call.clientState;
  // client_state given with a command is echoed in the webhooks that command (and later ones) produce.
  if (typeof body.client_state === "string") call.clientState = body.client_state;
  let extra: ActionResult;
  try {
    extra = handler(ctx, call, body as ActionBodies[ActionName]);
  } catch (error) {
    call.clientState = previousState;
    throw error;
  }
  const response = { data: { result: "ok", ...extra } };
  if (commandId !== undefined) call.commandResults.set(commandId, response);
  return response;
}
