// @telnyx-voice/client: the Telnyx Voice API (Call Control) over openapi-fetch, typed from the spec.
// This entry sends with fetch (browsers, Deno, Bun, Workers, edge runtimes); node.ts is Node's.
import type { ClientOptions } from "./options.js";
import { TelnyxBase } from "./telnyx.js";

export * from "./exports.js";

/** The Telnyx Voice API client. Sends with `globalThis.fetch`, or the `fetch` option. */
export class Telnyx extends TelnyxBase {
  constructor(options: ClientOptions = {}) {
    super(options, undefined);
  }
}
