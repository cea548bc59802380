// @telnyx-voice/flows: a call's commands as awaitable steps. Work in progress (the package is private until
// CallFlows lands); for now it holds the generated table of which webhook completes each call action.
export { type Completion, completions } from "./generated/completions.js";
