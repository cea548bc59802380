// Delivers events as Telnyx does: JSON POSTs signed with Ed25519 over `${timestamp}|${body}`, redelivered with
// `meta.attempt` + 1 until the receiver answers 2xx or the retries run out, backed by the application's failover
// URL. Per call, deliveries go through a queue with `concurrency` slots (a delivery holds its slot through its
// redeliveries); each copy of an event first waits its jitter. With the defaults (one slot, no jitter, no
// duplicates) a call's events arrive once, in order, one at a time; calls are delivered side by side.

import { CallLog } from "../calls/call-log.js";
import type { EmittedEvent } from "../calls/types.js";
import { chooseFor, eventRandom } from "./chance.js";
import type { ResolvedDelivery } from "./options.js";
import { WebhookPoster } from "./post.js";
import { createSigner, type Signer } from "./signer.js";
import { UnreachableReporter } from "./unreachable.js";

/** Where and how one event is delivered, fixed when it is emitted. */
export interface DeliveryRoute {
  /** The event type's `webhook_urls` entry, else the call's webhook URL. */
  url: string | undefined;
  /** The application's `webhook_event_failover_url`: tried at once when an attempt at `url` fails. */
  failoverUrl: string | undefined;
  /** How long one POST may take (the application's `webhook_timeout_secs`, else `redelivery.timeoutMs`). */
  timeoutMs: number;
  /** The delays before each redelivery (`webhook_retries_policies` `retries_ms`, else the default backoff). */
  retriesMs: number[];
}

/** One POST of one copy of one event: what was sent where, and what came back. */
export interface DeliveryRecord {
  /** The event's `data.id`: the same on every copy and every attempt. */
  eventId: string;
  eventType: string;
  callControlId: string;
  /** 0 for the event's delivery, 1 for its duplicate (`delivery.duplicateRate`). */
  copy: number;
  /** `meta.attempt` of this POST: 1, then +1 per redelivery; a failover POST repeats the attempt it backs up. */
  attempt: number;
  /** Where it went: "primary" (`webhook_urls` entry or the call's URL) or "failover" (the application's). */
  target: "primary" | "failover";
  url: string;
  /** When it was sent (ms since the epoch). */
  sentAt: number;
  /** The HTTP status; undefined while in flight or when no response came (see `error`). */
  status: number | undefined;
  /** The network error or timeout (`no response within N ms`), when no status came. */
  error: string | undefined;
  /** The receiver accepted it (2xx). */
  ok: boolean;
  /** No further POST of this copy follows: accepted, or this was its last try (then it was given up). */
  final: boolean;
  /** From sending to the outcome; undefined while in flight. */
  durationMs: number | undefined;
}

interface Copy {
  callControlId: string;
  event: EmittedEvent;
  route: DeliveryRoute;
  copy: number;
}

interface CallQueue {
  ready: Copy[];
  inFlight: number;
  /** Copies of this call not finished yet (waiting out jitter, queued, or in flight). */
  pending: number;
  settled: Array<() => void>;
}

export class WebhookDispatcher {
  private readonly log = new CallLog<DeliveryRecord>();
  private readonly queues = new Map<string, CallQueue>();
  /** Per call: its index (order of first event) and how many events it emitted, for the seeded choices. */
  private readonly counters = new Map<string, { index: number; events: number }>();
  private nextCallIndex = 0;
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  /** Jitter and backoff timers, so stop() can end them; the poster ends requests in flight. */
  private readonly sleeping = new Set<() => void>();
  private readonly sign: Signer;
  private readonly poster = new WebhookPoster();
  private readonly unreachable: UnreachableReporter;
  private warnedNoUrl = false;

  constructor(
    privateKey: string,
    private readonly options: ResolvedDelivery,
    private readonly warn: (message: string) => void,
  ) {
    this.sign = createSigner(privateKey);
    this.unreachable = new UnreachableReporter(warn);
  }

  /** Every POST, in the order sent. Read it again after a while: the array is replaced as calls are forgotten. */
  get deliveries(): readonly DeliveryRecord[] {
    return this.log.view;
  }

  enqueue(callControlId: string, event: EmittedEvent, route: DeliveryRoute): void {
    if (this.stopped) return;
    if (!route.url) {
      if (!this.warnedNoUrl) {
        this.warnedNoUrl = true;
        this.warn(
          `[telnyx-voice-simulator] call ${callControlId} has no webhook URL (dial webhook_url, application ` +
            "webhook_event_url, or the webhookUrl option): its events are not delivered. (Said once.)",
        );
      }
      return;
    }
    let counter = this.counters.get(callControlId);
    if (!counter) {
      counter = { index: this.nextCallIndex++, events: 0 };
      this.counters.set(callControlId, counter);
    }
    const choices = chooseFor(eventRandom(this.options.seed, counter.index, counter.events++), this.options);
    let queue = this.queues.get(callControlId);
    if (!queue) {
      queue = { ready: [], inFlight: 0, pending: 0, settled: [] };
      this.queues.set(callControlId, queue);
    }
    for (let copy = 0; copy < choices.copies; copy++) {
      queue.pending++;
      this.pending++;
      const item: Copy = { callControlId, event, route, copy };
      const q = queue;
      const join = () => {
        q.ready.push(item);
        this.pump(q);
      };
      // Without jitter, still let the HTTP response that caused the event go out first, as a real network would
      // mostly order them; setImmediate keeps the events' order.
      const wait = choices.jitterMs[copy] ?? 0;
      if (wait > 0) void this.sleep(wait).then(join);
      else setImmediate(join);
    }
  }

  /** Resolves once every queued delivery has been accepted or given up. */
  idle(): Promise<void> {
    if (this.pending === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once this call has nothing left to deliver. */
  settled(callControlId: string): Promise<void> {
    const queue = this.queues.get(callControlId);
    if (!queue || this.stopped) return Promise.resolve();
    return new Promise((resolve) => queue.settled.push(resolve));
  }

  /** Drops the records of a forgotten call. */
  forget(callControlId: string): void {
    this.log.forget(callControlId);
    this.counters.delete(callControlId);
  }

  /** Abandons pending deliveries and aborts the ones in flight. */
  stop(): void {
    this.stopped = true;
    this.poster.close();
    for (const wake of this.sleeping) wake();
    for (const queue of this.queues.values()) for (const resolve of queue.settled.splice(0)) resolve();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private pump(queue: CallQueue): void {
    while (!this.stopped && queue.inFlight < this.options.concurrency && queue.ready.length > 0) {
      const item = queue.ready.shift()!;
      queue.inFlight++;
      void this.deliver(item).finally(() => {
        queue.inFlight--;
        queue.pending--;
        this.pending--;
        if (queue.pending === 0) {
          this.queues.delete(item.callControlId);
          for (const resolve of queue.settled.splice(0)) resolve();
        } else {
          this.pump(queue);
        }
        if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  /** One copy: attempts at the URL (each backed by the failover URL), with the route's delays between them. */
  private async deliver(item: Copy): Promise<void> {
    const { route } = item;
    const attempts = route.retriesMs.length + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.stopped) return;
      const last = attempt === attempts;
      if (await this.post(item, attempt, "primary", route.url!, last && !route.failoverUrl, attempts - attempt)) return;
      if (route.failoverUrl && !this.stopped) {
        if (await this.post(item, attempt, "failover", route.failoverUrl, last, attempts - attempt)) return;
      }
      if (!last) await this.sleep(route.retriesMs[attempt - 1] ?? 0);
    }
  }

  /** One POST; true when accepted. */
  private async post(
    item: Copy,
    attempt: number,
    target: "primary" | "failover",
    url: string,
    lastTry: boolean,
    retriesLeft: number,
  ): Promise<boolean> {
    const body = JSON.stringify({ ...item.event, meta: { attempt, delivered_to: url } });
    const headers = { "user-agent": "telnyx-voice-simulator", ...this.sign(body) };
    const record: DeliveryRecord = {
      eventId: item.event.data.id,
      eventType: item.event.data.event_type,
      callControlId: item.callControlId,
      copy: item.copy,
      attempt,
      target,
      url,
      sentAt: Date.now(),
      status: undefined,
      error: undefined,
      ok: false,
      final: false,
      durationMs: undefined,
    };
    this.log.push(record);
    try {
      const { status } = await this.poster.post(url, body, headers, item.route.timeoutMs);
      record.status = status;
      record.ok = status >= 200 && status < 300;
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
      this.unreachable.failed(url, error, retriesLeft);
    }
    record.durationMs = Date.now() - record.sentAt;
    record.final = record.ok || lastTry || this.stopped;
    return record.ok;
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
