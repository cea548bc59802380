// Type-level tests: `vitest --typecheck` fails the run when one of these does not compile.
// The lists below are what the 2026-07-16 spec's Voice slice must contain at least: an operation or webhook
// dropped from the generated types fails here; one added by a newer spec does not.
import { expectTypeOf, test } from "vitest";
import type {
  ActionBodies,
  ActionMethod,
  ActionName,
  ActiveCall,
  AnswerActionBody,
  CallAnsweredEvent,
  CallControlApplication,
  CallEventOf,
  CallEventType,
  DialRequest,
  DialResponse,
  MethodsOf,
  paths,
  TelnyxCallEvent,
  WebhookName,
} from "../src/index.js";

type Operation = { [P in keyof paths]: `${Uppercase<MethodsOf<P>>} ${P & string}` }[keyof paths];
// biome-ignore lint/complexity/noBannedTypes: `{} extends Pick<T, K>` is how an optional key is told apart
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

type ExpectedOperations =
  | "GET /call_control_applications"
  | "POST /call_control_applications"
  | "GET /call_control_applications/{id}"
  | "DELETE /call_control_applications/{id}"
  | "PATCH /call_control_applications/{id}"
  | "POST /calls"
  | "GET /calls/{call_control_id}"
  | "POST /calls/{call_control_id}/actions/ai_assistant_add_messages"
  | "POST /calls/{call_control_id}/actions/ai_assistant_join"
  | "POST /calls/{call_control_id}/actions/ai_assistant_start"
  | "POST /calls/{call_control_id}/actions/ai_assistant_stop"
  | "POST /calls/{call_control_id}/actions/answer"
  | "POST /calls/{call_control_id}/actions/bridge"
  | "PUT /calls/{call_control_id}/actions/client_state_update"
  | "POST /calls/{call_control_id}/actions/conversation_relay_start"
  | "POST /calls/{call_control_id}/actions/conversation_relay_stop"
  | "POST /calls/{call_control_id}/actions/enqueue"
  | "POST /calls/{call_control_id}/actions/fork_start"
  | "POST /calls/{call_control_id}/actions/fork_stop"
  | "POST /calls/{call_control_id}/actions/gather"
  | "POST /calls/{call_control_id}/actions/gather_stop"
  | "POST /calls/{call_control_id}/actions/gather_using_ai"
  | "POST /calls/{call_control_id}/actions/gather_using_audio"
  | "POST /calls/{call_control_id}/actions/gather_using_speak"
  | "POST /calls/{call_control_id}/actions/hangup"
  | "POST /calls/{call_control_id}/actions/leave_queue"
  | "POST /calls/{call_control_id}/actions/playback_start"
  | "POST /calls/{call_control_id}/actions/playback_stop"
  | "POST /calls/{call_control_id}/actions/record_pause"
  | "POST /calls/{call_control_id}/actions/record_resume"
  | "POST /calls/{call_control_id}/actions/record_start"
  | "POST /calls/{call_control_id}/actions/record_stop"
  | "POST /calls/{call_control_id}/actions/refer"
  | "POST /calls/{call_control_id}/actions/reject"
  | "POST /calls/{call_control_id}/actions/send_dtmf"
  | "POST /calls/{call_control_id}/actions/send_sip_info"
  | "POST /calls/{call_control_id}/actions/siprec_start"
  | "POST /calls/{call_control_id}/actions/siprec_stop"
  | "POST /calls/{call_control_id}/actions/speak"
  | "POST /calls/{call_control_id}/actions/streaming_start"
  | "POST /calls/{call_control_id}/actions/streaming_stop"
  | "POST /calls/{call_control_id}/actions/suppression_start"
  | "POST /calls/{call_control_id}/actions/suppression_stop"
  | "POST /calls/{call_control_id}/actions/switch_supervisor_role"
  | "POST /calls/{call_control_id}/actions/transcription_start"
  | "POST /calls/{call_control_id}/actions/transcription_stop"
  | "POST /calls/{call_control_id}/actions/transfer"
  | "GET /connections/{connection_id}/active_calls";

type ExpectedActions =
  | "aiAssistantAddMessages"
  | "aiAssistantJoin"
  | "aiAssistantStart"
  | "aiAssistantStop"
  | "answer"
  | "bridge"
  | "clientStateUpdate"
  | "conversationRelayStart"
  | "conversationRelayStop"
  | "enqueue"
  | "forkStart"
  | "forkStop"
  | "gather"
  | "gatherStop"
  | "gatherUsingAi"
  | "gatherUsingAudio"
  | "gatherUsingSpeak"
  | "hangup"
  | "leaveQueue"
  | "playbackStart"
  | "playbackStop"
  | "recordPause"
  | "recordResume"
  | "recordStart"
  | "recordStop"
  | "refer"
  | "reject"
  | "sendDtmf"
  | "sendSipInfo"
  | "siprecStart"
  | "siprecStop"
  | "speak"
  | "streamingStart"
  | "streamingStop"
  | "suppressionStart"
  | "suppressionStop"
  | "switchSupervisorRole"
  | "transcriptionStart"
  | "transcriptionStop"
  | "transfer";

type ExpectedWebhooks =
  | "CallAIGatherEnded"
  | "CallAIGatherMessageHistoryUpdated"
  | "CallAIGatherPartialResults"
  | "callAnswered"
  | "callBridged"
  | "callConversationEnded"
  | "callConversationInsightsGenerated"
  | "callCost"
  | "callDeepfakeDetectionError"
  | "callDeepfakeDetectionResult"
  | "callDtmfReceived"
  | "callEnqueued"
  | "callForkStarted"
  | "callForkStopped"
  | "callGatherEnded"
  | "callHangup"
  | "callHold"
  | "callInitiated"
  | "callLeftQueue"
  | "callMachineDetectionEnded"
  | "callMachineGreetingEnded"
  | "callMachinePremiumDetectionEnded"
  | "callMachinePremiumGreetingEnded"
  | "callPlaybackEnded"
  | "callPlaybackStarted"
  | "callRecordingError"
  | "callRecordingSaved"
  | "callRecordingTranscriptionSaved"
  | "callReferCompleted"
  | "callReferFailed"
  | "callReferStarted"
  | "callSiprecFailed"
  | "callSiprecStarted"
  | "callSiprecStopped"
  | "callSpeakEnded"
  | "callSpeakStarted"
  | "callStreamingFailed"
  | "callStreamingStarted"
  | "callStreamingStopped"
  | "callUnhold";

test("every operation of the slice is in paths", () => {
  expectTypeOf<ExpectedOperations>().toExtend<Operation>();
});

test("every action has a camelCase name, a method and a body", () => {
  expectTypeOf<ExpectedActions>().toExtend<ActionName>();
  expectTypeOf<ActionMethod<"clientStateUpdate">>().toEqualTypeOf<"put">();
  expectTypeOf<ActionMethod<"answer">>().toEqualTypeOf<"post">();
  expectTypeOf<ActionBodies["speak"]>().toHaveProperty("payload");
  expectTypeOf<AnswerActionBody>().toEqualTypeOf<ActionBodies["answer"]>();
});

test("every call-family webhook of the slice is typed", () => {
  expectTypeOf<ExpectedWebhooks>().toExtend<WebhookName>();
  expectTypeOf<"call.answered" | "call.hangup" | "streaming.started" | "siprec.failed">().toExtend<CallEventType>();
});

test("dial requires exactly connection_id, from and to", () => {
  expectTypeOf<RequiredKeys<DialRequest>>().toEqualTypeOf<"connection_id" | "from" | "to">();
  const minimal: DialRequest = { connection_id: "1", from: "+13125550001", to: "+13125550002" };
  expectTypeOf(minimal).toExtend<DialRequest>();
});

test("response fields the README uses are present", () => {
  expectTypeOf<DialResponse["data"]["call_control_id"]>().toEqualTypeOf<string>();
  expectTypeOf<DialResponse["data"]>().toHaveProperty("call_leg_id");
  expectTypeOf<DialResponse["data"]>().toHaveProperty("call_session_id");
  expectTypeOf<ActiveCall>().toHaveProperty("call_control_id");
  expectTypeOf<CallControlApplication>().toHaveProperty("webhook_event_url");
  expectTypeOf<CallControlApplication>().toHaveProperty("application_name");
});

test("delivered events are discriminated on data.event_type", () => {
  expectTypeOf<CallAnsweredEvent["data"]["event_type"]>().toEqualTypeOf<"call.answered">();
  expectTypeOf<CallEventOf<"call.hangup">["data"]["payload"]>().toHaveProperty("hangup_cause");
  expectTypeOf<TelnyxCallEvent["meta"]["attempt"]>().toEqualTypeOf<number>();
  const answeredId = (event: TelnyxCallEvent) =>
    event.data.event_type === "call.answered" ? event.data.payload.call_control_id : null;
  expectTypeOf(answeredId).returns.toEqualTypeOf<string | undefined | null>();
  const wrongField = (event: TelnyxCallEvent) =>
    // @ts-expect-error hangup_cause is a call.hangup field, not a call.answered one
    event.data.event_type === "call.answered" ? event.data.payload.hangup_cause : null;
  expectTypeOf(wrongField).toBeFunction();
});

// `type: object` without properties is any object in JSON Schema; generated as an empty object, these fields
// refused everything the spec means them to carry (a JSON Schema for gather_using_ai, free-form metadata).
test("free-form objects of the spec take any object", () => {
  type Payload<T extends CallEventType> = NonNullable<CallEventOf<T>["data"]["payload"]>;
  type Free = Record<string, unknown> | undefined;
  expectTypeOf<Payload<"call.ai_gather.ended">["result"]>().toEqualTypeOf<Free>();
  expectTypeOf<Payload<"call.ai_gather.partial_results">["partial_results"]>().toEqualTypeOf<Free>();
  type Insight = NonNullable<Payload<"call.conversation_insights.generated">["results"]>[number];
  expectTypeOf<Insight["result"]>().toEqualTypeOf<Record<string, unknown> | string | undefined>();
  expectTypeOf<ActionBodies["gatherUsingAi"]["parameters"]>().toEqualTypeOf<Record<string, unknown>>();
  type Message = NonNullable<ActionBodies["aiAssistantAddMessages"]["messages"]>[number];
  expectTypeOf<{ metadata: { ticket: string; priority: number } }>().toExtend<Pick<Message, "metadata">>();
  type Assistant = NonNullable<ActionBodies["answer"]["assistant"]>;
  expectTypeOf<Assistant["observability_settings"]>().toEqualTypeOf<Free>();
  expectTypeOf<Assistant["mcp_servers"]>().toEqualTypeOf<Record<string, unknown>[] | undefined>();
});
