// What a dial, answer, transfer, record_start or streaming_start asks for besides the call itself: a recording,
// answering machine detection, a media stream. Read from the (already schema-validated) body with the spec's
// defaults, and checked for what the schema leaves to prose (the ranges its descriptions state), so a mistake is
// a 422 naming the field before anything happens.
import { outOfRange } from "../errors.js";

export interface RecordingSettings {
  channels: "single" | "dual";
  format: "wav" | "mp3";
  /** 0: no limit. */
  maxLengthSecs: number;
  /** Silence after speech that ends the recording; 0: never. */
  timeoutSecs: number;
  /** `call.recording.transcription.saved` follows `call.recording.saved`. */
  transcription: boolean;
}

export type MachineDetectionMode = "premium" | "detect" | "detect_beep" | "detect_words" | "greeting_end";

/** `answering_machine_detection` and the fields of `answering_machine_detection_config` the simulator uses. */
export interface MachineDetectionSettings {
  mode: MachineDetectionMode;
  /** `total_analysis_time_millis` (default 3500): no decision by then gives `not_sure`. */
  totalAnalysisMs: number;
  /** `greeting_duration_millis` (default 3500): a greeting longer than this is a machine's. */
  greetingDurationMs: number;
  /** `greeting_total_analysis_time_millis` (default 5000): how long the end of a machine's greeting is awaited. */
  greetingTotalAnalysisMs: number;
}

export interface StreamSettings {
  url: string;
  track: "inbound_track" | "outbound_track" | "both_tracks";
  /** `stream_auth_token`: sent as the `x-telnyx-streaming-auth-token` header of the upgrade and in `connected`. */
  authToken: string | undefined;
  /** `stream_codec` as asked ("default" when absent); media/format.ts says what is streamed for each. */
  codec: string;
  /** `stream_bidirectional_mode` (default "mp3", the spec's default). */
  bidirectionalMode: "mp3" | "rtp";
  /** `stream_bidirectional_codec` (default "PCMU"): what the app's media frames carry in rtp mode. */
  bidirectionalCodec: string;
  /** `stream_bidirectional_sampling_rate` (default 8000). */
  bidirectionalSampleRate: number;
  /** `custom_parameters` (streaming_start), as the start frame carries them: name -> value. */
  customParameters: Record<string, string> | undefined;
  /** The command's `client_state`, for the start frame. */
  clientState: string | undefined;
}

/** What starts when the far end answers (dial, transfer) or when the call is answered (answer). */
export interface OnAnswer {
  recording?: { id: string; settings: RecordingSettings } | undefined;
  machineDetection?: MachineDetectionSettings | undefined;
  stream?: StreamSettings | undefined;
}

type Body = Record<string, unknown>;

/** The spec's ranges (stated in prose: "The minimum value is 0. The maximum value is 14400."). */
function checkRange(value: unknown, field: string, max?: number): number {
  if (value === undefined) return 0;
  const n = value as number;
  if (n < 0 || (max !== undefined && n > max)) {
    const range = max === undefined ? "0 or more" : `from 0 to ${max}`;
    throw outOfRange(`'${field}' must be ${range}, got ${n}.`, { pointer: `/${field.replaceAll(".", "/")}` });
  }
  return n;
}

/** A mono track (`inbound`/`outbound`) is recorded single channel whatever `channels` says (the spec). */
function channelsFor(channels: unknown, track: unknown): "single" | "dual" {
  if (track === "inbound" || track === "outbound") return "single";
  return channels === "single" ? "single" : "dual";
}

/** `record: "record-from-answer"` with its `record_*` fields (dial, answer); undefined without it. */
export function readRecordFromAnswer(body: Body): RecordingSettings | undefined {
  const maxLengthSecs = checkRange(body.record_max_length, "record_max_length", 43200);
  const timeoutSecs = checkRange(body.record_timeout_secs, "record_timeout_secs");
  if (body.record !== "record-from-answer") return undefined;
  return {
    channels: channelsFor(body.record_channels, body.record_track),
    format: body.record_format === "wav" ? "wav" : "mp3",
    maxLengthSecs,
    timeoutSecs,
    transcription: false,
  };
}

/** record_start's fields (`format` and `channels` are required by the schema). */
export function readRecordStart(body: Body): RecordingSettings {
  return {
    channels: channelsFor(body.channels, body.recording_track),
    format: body.format === "wav" ? "wav" : "mp3",
    maxLengthSecs: checkRange(body.max_length, "max_length", 14400),
    timeoutSecs: checkRange(body.timeout_secs, "timeout_secs"),
    transcription: body.transcription === true,
  };
}

/** `answering_machine_detection` (dial, transfer); undefined when absent or `disabled`. */
export function readMachineDetection(body: Body): MachineDetectionSettings | undefined {
  const config = (body.answering_machine_detection_config ?? {}) as Record<string, unknown>;
  // Every field of the config is a duration, count or threshold: none can be negative.
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === "number") checkRange(value, `answering_machine_detection_config.${key}`);
  }
  const mode = body.answering_machine_detection as MachineDetectionMode | "disabled" | undefined;
  if (mode === undefined || mode === "disabled") return undefined;
  return {
    mode,
    totalAnalysisMs: (config.total_analysis_time_millis as number | undefined) ?? 3500,
    greetingDurationMs: (config.greeting_duration_millis as number | undefined) ?? 3500,
    greetingTotalAnalysisMs: (config.greeting_total_analysis_time_millis as number | undefined) ?? 5000,
  };
}

/** `stream_url` with `stream_track` and `stream_auth_token` (dial, answer, streaming_start); undefined without a URL. */
export function readStream(body: Body): StreamSettings | undefined {
  if (typeof body.stream_url !== "string") return undefined;
  return {
    url: body.stream_url,
    track: (body.stream_track as StreamSettings["track"] | undefined) ?? "inbound_track",
    authToken: body.stream_auth_token as string | undefined,
    codec: (body.stream_codec as string | undefined) ?? "default",
    bidirectionalMode: body.stream_bidirectional_mode === "rtp" ? "rtp" : "mp3",
    bidirectionalCodec: (body.stream_bidirectional_codec as string | undefined) ?? "PCMU",
    bidirectionalSampleRate: (body.stream_bidirectional_sampling_rate as number | undefined) ?? 8000,
    customParameters: readCustomParameters(body.custom_parameters),
    clientState: body.client_state as string | undefined,
  };
}

/** `[{ name, value }]` (the schema's shape) -> `{ name: value }` (the start frame's); entries without a name are skipped. */
function readCustomParameters(value: unknown): Record<string, string> | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const entry of value as Array<{ name?: unknown; value?: unknown }>) {
    if (typeof entry?.name === "string") out[entry.name] = typeof entry.value === "string" ? entry.value : "";
  }
  return out;
}
