// Delivers events the way Telnyx does: JSON POSTs signed with Ed25519 over `${timestamp}|${body}`, one call's
// events strictly in order (the next waits until the previous is acknowledged or given up), calls in parallel.
// A receiver that does not answer 2xx gets the same event again after a growing delay, with `meta.attempt` + 1.
import type { EmittedEvent } from "../calls/types.js";
import { WebhookPoster } from "./post.js";
import { createSigner, type Signer } from "./signer.js";

export interface RedeliveryOptions {
  /** Attempts per event, first delivery included (default 5). */
  maxAttempts?: number;
  /** Delay before the first redelivery; doubles on each further attempt (default 250 ms). */
  baseDelayMs?: number;
  /** How long one POST may take before it counts as failed (default 5000 ms). */
  timeoutMs?: number;
}

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  callControlId: string;
  url: string | undefined;
  attempts: number;
  delivered: boolean;
  /** HTTP status of the last attempt, or the network error's message. */
  lastResult: number | string | undefined;
}

interface QueueItem {
  event: EmittedEvent;
  url: string | undefined;
  callControlId: string;
}

export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  private readonly queues = new Map<string, QueueItem[]>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  /** Backoff sleeps, so stop() can end them; the poster ends requests in flight. */
  private readonly sleeping = new Set<() => void>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private idleWaiters: Array<() => void> = [];

  private readonly sign: Signer;
  private readonly poster = new WebhookPoster();

  constructor(privateKey: string, options: RedeliveryOptions = {}) {
    this.sign = createSigner(privateKey);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  enqueue(callControlId: string, url: string | undefined, event: EmittedEvent): void {
    if (this.stopped) return;
    const queue = this.queues.get(callControlId);
    if (queue) {
      queue.push({ event, url, callControlId });
      return;
    }
    const fresh: QueueItem[] = [{ event, url, callControlId }];
    this.queues.set(callControlId, fresh);
    const run = this.drain(callControlId, fresh).finally(() => {
      this.running.delete(run);
      if (this.running.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
    this.running.add(run);
  }

  /** Resolves once every queued event has been delivered or given up. */
  idle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Abandons pending deliveries and aborts the ones in flight. */
  stop(): void {
    this.stopped = true;
    this.poster.close();
    for (const wake of this.sleeping) wake();
    this.queues.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async drain(callControlId: string, queue: QueueItem[]): Promise<void> {
    // Let the HTTP response that caused the event go out first, as a real network would mostly order them.
    await new Promise((resolve) => setImmediate(resolve));
    while (queue.length > 0 && !this.stopped) {
      const item = queue[0]!;
      await this.deliver(item);
      queue.shift();
    }
    this.queues.delete(callControlId);
  }

  private async deliver(item: QueueItem): Promise<void> {
    const record: DeliveryRecord = {
      eventId: item.event.data.id,
      eventType: item.event.data.event_type,
      callControlId: item.callControlId,
      url: item.url,
      attempts: 0,
      delivered: false,
      lastResult: undefined,
    };
    this.deliveries.push(record);
    if (!item.url) {
      record.lastResult =
        "no webhook URL for this call (dial webhook_url, application webhook_event_url, or the webhookUrl option)";
      return;
    }
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.stopped) return;
      record.attempts = attempt;
      const body = JSON.stringify({ ...item.event, meta: { attempt, delivered_to: item.url } });
      const headers = { "user-agent": "telnyx-voice-simulator", ...this.sign(body) };
      try {
        const { status } = await this.poster.post(item.url, body, headers, this.timeoutMs);
        record.lastResult = status;
        if (status >= 200 && status < 300) {
          record.delivered = true;
          return;
        }
      } catch (error) {
        record.lastResult = error instanceof Error ? error.message : String(error);
      }
      if (attempt < this.maxAttempts) await this.sleep(this.baseDelayMs * 2 ** (attempt - 1));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping.add(wake);
    });
  }
}
