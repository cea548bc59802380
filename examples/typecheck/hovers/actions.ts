// What an editor shows when hovering a call's action: read by test/hovers.test.ts through TypeScript's own
// language service, against the packages as published (their .d.ts).
import type { Telnyx } from "@telnyx-voice/client";
import type { Call } from "@telnyx-voice/flows";

declare const telnyx: Telnyx;
declare const call: Call;

export const clientSpeak = telnyx.calls.actions.speak;
export const flowSpeak = call.speak;
export const flowRecordStop = call.recordStop;
