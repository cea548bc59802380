// One WebSocket from Telnyx, whichever library carries it: the frames before `start` (the token in
// `connected` when the upgrade's header could not be checked, a bound on how long `start` may take), then the
// MediaStream that every later frame goes to.
import { MediaStreamError } from "./errors.js";
import { parseTelnyxFrame } from "./parse.js";
import { MediaStream, type StreamSettings } from "./stream.js";
import type { TokenCheck } from "./token.js";

/** What a connection needs of the socket under it. */
export interface Transport {
  send(text: string): void;
  close(code: number, reason: string): void;
  bufferedAmount(): number;
}

/** What a connection needs of MediaStreams. */
export interface ConnectionOwner {
  readonly token: TokenCheck | undefined;
  readonly settings: StreamSettings;
  readonly startTimeoutMs: number;
  readonly maxFrameBytes: number;
  report(error: MediaStreamError): void;
  started(stream: MediaStream): void;
  closed(connection: Connection): void;
}

// WebSocket close codes: 1008 policy violation (no or wrong token), 1000 normal.
const POLICY = 1008;

export class Connection {
  readonly #transport: Transport;
  readonly #owner: ConnectionOwner;
  #authenticated: boolean;
  #stream: MediaStream | undefined;
  #closed = false;
  #startTimer: ReturnType<typeof setTimeout> | undefined;
  // Unknown event names already reported on this connection (bounded: a flood of names is reported 16 times).
  readonly #unknown = new Set<string>();

  constructor(transport: Transport, owner: ConnectionOwner, authenticated: boolean) {
    this.#transport = transport;
    this.#owner = owner;
    this.#authenticated = authenticated || owner.token === undefined;
    this.#startTimer = setTimeout(() => {
      this.#startTimer = undefined;
      this.#owner.report(
        new MediaStreamError(
          "start_timeout",
          `No start frame within ${owner.startTimeoutMs} ms of a media WebSocket opening: it was closed. Telnyx sends connected ` +
            "then start at once; a client that is not Telnyx, or a proxy holding frames back, would look like this.",
        ),
      );
      this.close(POLICY, "no start frame");
    }, owner.startTimeoutMs);
    (this.#startTimer as { unref?: () => void }).unref?.();
  }

  get stream(): MediaStream | undefined {
    return this.#stream;
  }

  /** A text message from the socket. */
  text(data: string): void {
    if (this.#closed) return;
    const streamId = this.#stream?.streamId;
    // Counted in UTF-16 units: at least the bytes' count for JSON that is ASCII, as Telnyx's frames are.
    if (data.length > this.#owner.maxFrameBytes) {
      this.#bad(
        new MediaStreamError(
          "frame_too_large",
          `A media stream frame of ${data.length} characters is over maxFrameBytes (${this.#owner.maxFrameBytes}); it was skipped.`,
          { streamId },
        ),
      );
      return;
    }
    let frame: ReturnType<typeof parseTelnyxFrame>;
    try {
      frame = parseTelnyxFrame(data, streamId);
    } catch (error) {
      const known = error as MediaStreamError;
      if (known.reason === "unknown_event") {
        const name = (JSON.parse(data) as { event: string }).event;
        if (this.#unknown.has(name) || this.#unknown.size >= 16) return;
        this.#unknown.add(name);
      }
      this.#bad(known);
      return;
    }
    if (this.#stream) {
      if (frame.event === "connected") return; // nothing to do with it any more
      this.#stream.receive(frame);
      return;
    }
    switch (frame.event) {
      case "connected": {
        if (this.#authenticated) return;
        const given = frame.connected?.["x-telnyx-streaming-auth-token"];
        if (this.#owner.token?.matches(given)) {
          this.#authenticated = true;
          return;
        }
        this.#refuse(
          given === undefined
            ? "no stream auth token in its connected frame"
            : "a stream auth token that does not match",
        );
        return;
      }
      case "start": {
        if (!this.#authenticated) {
          this.#refuse("a start frame before any stream auth token");
          return;
        }
        if (this.#startTimer !== undefined) clearTimeout(this.#startTimer);
        this.#startTimer = undefined;
        const transport = this.#transport;
        const stream = new MediaStream(frame, {
          send: (text) => {
            if (!this.#closed) transport.send(text);
          },
          bufferedAmount: () => transport.bufferedAmount(),
          close: (code, reason) => this.close(code, reason),
          report: (error) => this.#owner.report(error),
          settings: this.#owner.settings,
        });
        this.#stream = stream;
        this.#owner.started(stream);
        return;
      }
      case "stop":
        this.close(1000, "stopped before start");
        return;
      case "error":
        this.#owner.report(
          new MediaStreamError(
            "telnyx_error",
            "Telnyx sent an error frame before the stream started; it is on the error's `frame`.",
            {
              frame,
            },
          ),
        );
        return;
      default:
        this.#bad(
          new MediaStreamError(
            "unexpected_frame",
            `A \`${frame.event}\` frame came before the stream's start frame; it was skipped (Telnyx sends connected, then start, then the rest).`,
          ),
        );
    }
  }

  /** A binary message from the socket. */
  binary(): void {
    if (this.#closed) return;
    this.#bad(
      new MediaStreamError(
        "binary_frame",
        "A binary WebSocket message came on a media stream; it was skipped. Telnyx sends JSON text frames only.",
        { streamId: this.#stream?.streamId },
      ),
    );
  }

  /** The socket closed (either side). */
  socketClosed(code: number, reason: string): void {
    if (this.#startTimer !== undefined) clearTimeout(this.#startTimer);
    this.#startTimer = undefined;
    this.#closed = true;
    this.#stream?.closed(code, reason);
    this.#owner.closed(this);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#startTimer !== undefined) clearTimeout(this.#startTimer);
    this.#startTimer = undefined;
    try {
      this.#transport.close(code, reason);
    } catch {
      // Already closing: the close event follows either way.
    }
  }

  #bad(error: MediaStreamError): void {
    if (this.#stream) this.#stream.badFrame(error);
    else this.#owner.report(error);
  }

  #refuse(why: string): void {
    this.#owner.report(
      new MediaStreamError(
        "unauthorized",
        `A media WebSocket came with ${why}: it was closed (1008). Give Telnyx the same stream_auth_token (on dial, answer or ` +
          "streaming_start) as MediaStreams' authToken (or TELNYX_STREAM_AUTH_TOKEN).",
      ),
    );
    this.close(POLICY, "unauthorized");
  }
}
