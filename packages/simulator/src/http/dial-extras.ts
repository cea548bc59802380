// What a dial asks for besides placing the call: answering machine detection, a media stream (`stream_url`, with
// `stream_auth_token` and `stream_establish_before_call_originate`), and the `record_*` settings of
// `record: "record-from-answer"`. The dial handler places the call; this wraps it, reading (and checking) these
// fields first and handing them to the call it placed, before its far end can answer (that takes a timer).

import { readMachineDetection, readRecordFromAnswer, readStream } from "../calls/media-settings.js";
import type { CallRecord } from "../calls/types.js";
import type { OperationContext, OperationReply, OperationRequest } from "./operations.js";

type Handler = (ctx: OperationContext, req: OperationRequest) => OperationReply;

/** Calls already given their extras: a dial repeated with the same `command_id` places no call and changes none. */
const configured = new WeakSet<CallRecord>();

export function withDialExtras(dial: Handler): Handler {
  return (ctx, req) => {
    const { body } = req;
    // Checked before the call exists, so a bad value is a 422 with no call placed.
    const recording = readRecordFromAnswer(body);
    const machineDetection = readMachineDetection(body);
    const stream = readStream(body);
    const reply = dial(ctx, req);
    const id = (reply.body as { data?: { call_control_id?: string } }).data?.call_control_id;
    const call = id === undefined ? undefined : ctx.engine.calls.get(id);
    if (!call || configured.has(call)) return reply;
    configured.add(call);
    if (recording && call.onAnswer.recording) call.onAnswer.recording.settings = recording;
    call.onAnswer.machineDetection = machineDetection;
    // `stream_establish_before_call_originate`: the socket is opened as the call is placed, not once answered.
    if (stream && body.stream_establish_before_call_originate === true) ctx.engine.streams.start(call, stream);
    else call.onAnswer.stream = stream;
    return reply;
  };
}
