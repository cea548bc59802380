// Options users fill from the environment: under `exactOptionalPropertyTypes` an option that falls back when
// absent must also take an explicit `undefined` (what `process.env.X` is when X is unset).
import { Telnyx } from "@telnyx-voice/client";
import { startSimulator } from "@telnyx-voice/simulator";
import { Webhooks } from "@telnyx-voice/webhooks";

export const telnyx = new Telnyx({
  apiKey: process.env.TELNYX_API_KEY,
  baseURL: process.env.TELNYX_BASE_URL,
  timeout: undefined,
  maxRetries: undefined,
  commandTimeout: undefined,
  backoff: { initialDelay: undefined, maxDelay: undefined },
});

export const webhooks = new Webhooks({
  publicKey: process.env.TELNYX_PUBLIC_KEY,
  tolerance: undefined,
  maxBodyBytes: undefined,
  bodyTimeoutMs: undefined,
  onError: undefined,
  crypto: undefined,
});

export async function hangUp(id: string, signal?: AbortSignal): Promise<void> {
  await telnyx.calls.actions.hangup(id, {}, { signal, timeout: undefined, maxRetries: undefined, headers: undefined });
}

export const simulator = startSimulator({
  port: undefined,
  host: undefined,
  webhookUrl: process.env.WEBHOOK_URL,
  apiKey: process.env.TELNYX_API_KEY,
  answerDelayMs: undefined,
  faults: { rate: undefined, seed: undefined, rules: undefined },
  redelivery: { maxAttempts: undefined, baseDelayMs: undefined, timeoutMs: undefined },
  delivery: { duplicateRate: undefined, concurrency: undefined, jitterMs: undefined, seed: undefined },
  endedCallRetentionMs: undefined,
  keyPair: undefined,
  logger: undefined,
});
