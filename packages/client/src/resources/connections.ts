import type { ActiveCall, ActiveCallsListQuery } from "@telnyx-voice/types";
import type { RequestOptions } from "../options.js";
import { type CursorPage, cursorList, type PagePromise } from "../pagination.js";
import type { Transport } from "../transport.js";

export class Connections {
  readonly #send: Transport;

  constructor(send: Transport) {
    this.#send = send;
  }

  /** Cursor pages (`page[after]` from `meta.cursors.after`); `for await` walks every active call. */
  listActiveCalls(
    connectionId: string,
    query: ActiveCallsListQuery = {},
    options?: RequestOptions,
  ): PagePromise<CursorPage<ActiveCall>, ActiveCall> {
    return cursorList(
      "GET /connections/{connection_id}/active_calls",
      (q, o) =>
        this.#send(
          "GET",
          "/connections/{connection_id}/active_calls",
          { path: { connection_id: connectionId }, query: q },
          o,
        ),
      query,
      options,
    );
  }
}
