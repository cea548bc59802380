// What both builds (node.ts and index.ts) export besides MediaStreams itself.
export type { AudioChunk, AudioOptions, PcmAudioChunk, RawAudioChunk, Track } from "./audio.js";
export * from "./codecs/index.js";
export { MediaStreamError, type MediaStreamErrorReason } from "./errors.js";
export type {
  ClearFrame,
  ClientFrame,
  ClientMarkFrame,
  ClientMediaFrame,
  ConnectedFrame,
  Counter,
  DtmfFrame,
  ErrorFrame,
  MarkFrame,
  MediaFormat,
  MediaFrame,
  StartFrame,
  StopFrame,
  TelnyxFrame,
} from "./generated/frames.js";
export type {
  BunServerWebSocketLike,
  BunWebSocketHandlers,
  NodeUpgradeHandler,
  NodeUpgradeOptions,
  NodeUpgradeRequest,
  NodeUpgradeSocket,
  StandardWebSocketLike,
  StreamHandler,
} from "./media-streams.js";
export type { MediaStreamsOptions } from "./options.js";
export { parseTelnyxFrame } from "./parse.js";
export type { MarkResult, PlaybackFormat } from "./playback.js";
export type { GapInfo, MediaStream, MediaStreamEvents, MediaStreamStats, StreamEnd } from "./stream.js";
export { constantTimeEqual, type HeadersLike, TOKEN_HEADER } from "./token.js";
