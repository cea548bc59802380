// Entry for Node (the "node" export condition): sends with node:http(s), which on Node costs about half
// of what fetch does per request, unless the `fetch` option is given. Same API and types as index.ts.
import { httpSender } from "./http-sender.js";
import type { ClientOptions } from "./options.js";
import { TelnyxBase } from "./telnyx.js";

export * from "./exports.js";

/** The Telnyx Voice API client. Sends with node:http(s) through Node's global agent, or the `fetch` option. */
export class Telnyx extends TelnyxBase {
  constructor(options: ClientOptions = {}) {
    super(options, httpSender);
  }
}
