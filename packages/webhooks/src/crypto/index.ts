// `@telnyx-voice/webhooks/crypto`: the portable Ed25519 providers, for the `crypto` option of `Webhooks`
// (e.g. to force @noble/ed25519 on a runtime whose Web Crypto misbehaves). node:crypto is not here so
// that importing this subpath never pulls it into a browser bundle; on Node it is already the default.
export { autoCrypto } from "./auto.js";
export { nobleCrypto } from "./noble.js";
export type { Ed25519Provider, Ed25519Verifier } from "./provider.js";
export { webCrypto } from "./web.js";
