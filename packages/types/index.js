// @telnyx-voice/types is types only (`import type { ... }`): this empty module keeps a plain import from failing.
