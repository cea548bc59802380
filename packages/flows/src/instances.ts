// Flows on many instances, over a shared store (redisStore): each call's flow runs on the instance that answered
// or dialled it, named as the owner in the call's client_state. This instance says it is alive (a heartbeat),
// relays each event to the instance that runs its call, and hangs up the calls whose instance died with their
// flows (found by the event that reaches no one, or by the periodic sweep).
import type { CallActions } from "@telnyx-voice/client";
import { type Relay, type RelayStore, WebhookBusyError, type WebhookEvent } from "@telnyx-voice/webhooks";

/** How long an event relayed to the instance that runs its call may take there (under Telnyx's webhook timeout). */
const RELAY_TIMEOUT_MS = 4000;
/**
 * A relayed event carries the time by which its sender stops waiting, less this margin for the instances'
 * clocks (NTP keeps them far closer). The owner drops a copy that reaches it later: its sender answered 503, so
 * Telnyx delivers the event again, through the router, in its call's order. Dispatching the late copy too would
 * hand the flow an event twice, or after later ones (an owner that stalled past the timeout).
 */
const CLOCK_MARGIN_MS = 500;

interface Relayed {
  /** Epoch milliseconds after which the sender no longer waits for it. */
  by: number;
  event: WebhookEvent;
}

export interface InstancesOptions {
  store: RelayStore;
  /** This instance's name among them. */
  instance: string;
  /** How long an instance stays the owner of its calls after its last heartbeat. */
  leaseMs: number;
  actions: CallActions;
  /** Handles an event another instance relayed here. */
  onRelayed(event: WebhookEvent): Promise<void>;
  onError(error: unknown): void;
}

/**
 * What happened to an event sent to the instance that runs its call: delivered; "orphan", that instance died
 * (the call was hung up); "foreign", no instance of this deployment has that name (another app's client_state).
 */
export type Forwarded = "delivered" | "orphan" | "foreign";

/**
 * How long this instance must have reached the store without a failure before it takes another's lapsed
 * heartbeat for a death: a lease, plus what a live instance may take to reconnect after an outage (node-redis
 * backs off to 2 s between tries) and to send its next heartbeat. An outage lapses every heartbeat at once;
 * without this, the first instance back would hang up the calls of every other.
 */
export function judgeAfterMs(leaseMs: number): number {
  return leaseMs + 2500 + leaseMs / 3;
}

export class Instances {
  readonly #options: InstancesOptions;
  readonly #relay: Promise<Relay>;
  readonly #timers: Array<ReturnType<typeof setInterval>> = [];
  /** Since when every heartbeat of this instance reached the store (undefined: the last one failed). */
  #reachableSince: number | undefined;

  constructor(options: InstancesOptions) {
    this.#options = options;
    this.#relay = this.#start();
    this.#relay.catch((error: unknown) => options.onError(error));
  }

  /**
   * Listens for the events other instances relay here, says this instance is alive every `leaseMs / 3`, and
   * every `leaseMs` hangs up the calls of instances that died (their flows died with them).
   */
  async #start(): Promise<Relay> {
    const { store, instance, leaseMs, onRelayed, onError } = this.#options;
    const relay = await store.openRelay(instance, async (message) => {
      const { by, event } = JSON.parse(message) as Relayed;
      if (Date.now() > by) return "late";
      await onRelayed(event);
      return "ok";
    });
    const beat = () =>
      store.heartbeat(instance, leaseMs).then(
        () => {
          this.#reachableSince ??= Date.now();
        },
        (error: unknown) => {
          this.#reachableSince = undefined;
          onError(error);
        },
      );
    await beat();
    const sweep = async () => {
      if (!this.#mayJudge()) return;
      try {
        for (const id of await store.takeOrphans()) await this.hangUpOrphan(id);
      } catch (error) {
        onError(error);
      }
    };
    this.#timers.push(setInterval(beat, leaseMs / 3), setInterval(sweep, leaseMs));
    for (const timer of this.#timers) (timer as { unref?: () => void }).unref?.();
    return relay;
  }

  /** This instance runs call `id`'s flow (so the sweep hangs it up if this instance dies). */
  own(id: string): void {
    this.#options.store.ownCall(this.#options.instance, id).catch(this.#options.onError);
  }

  disown(id: string): void {
    this.#options.store.disownCall(this.#options.instance, id).catch(this.#options.onError);
  }

  /**
   * Relays an event to the instance that runs its call. Not listening and no longer alive: that instance died
   * with the flow, so the call (when the event names it) is hung up here, and the caller hands the event on.
   * Alive but not answering: 503, and Telnyx delivers it again.
   */
  async forward(owner: string, id: string | undefined, event: WebhookEvent): Promise<Forwarded> {
    const relay = await this.#relay;
    const call = id ?? `of leg ${String((event.data.payload as Record<string, unknown> | undefined)?.call_leg_id)}`;
    let sent: Awaited<ReturnType<Relay["send"]>>;
    const relayed: Relayed = { by: Date.now() + RELAY_TIMEOUT_MS - CLOCK_MARGIN_MS, event };
    try {
      sent = await relay.send(owner, JSON.stringify(relayed), RELAY_TIMEOUT_MS);
    } catch (error) {
      throw new WebhookBusyError(
        "call_busy",
        `the instance running call ${call} (${owner}) did not take its event: ${(error as Error).message}`,
      );
    }
    if (sent.delivered && sent.reply === "late") {
      throw new WebhookBusyError("call_busy", `the instance running call ${call} (${owner}) took its event too late`);
    }
    if (sent.delivered) return "delivered";
    if (await this.#options.store.isAlive(owner)) {
      throw new WebhookBusyError(
        "call_busy",
        `the instance running call ${call} (${owner}) is alive but not listening`,
      );
    }
    if (this.#options.store.isKnown && !(await this.#options.store.isKnown(owner))) return "foreign";
    // Just back from an outage (or just started): the owner may not have sent its heartbeat yet.
    if (!this.#mayJudge()) {
      throw new WebhookBusyError(
        "call_busy",
        `the instance running call ${call} (${owner}) sent no heartbeat lately, but this instance reached the store ` +
          "only recently: Telnyx will deliver it again once it can tell an outage from a death",
      );
    }
    if (id !== undefined && event.data.event_type !== "call.hangup") await this.hangUpOrphan(id);
    return "orphan";
  }

  /** Whether another's lapsed heartbeat means its death: this instance has reached the store for long enough. */
  #mayJudge(): boolean {
    const since = this.#reachableSince;
    return since !== undefined && Date.now() - since >= judgeAfterMs(this.#options.leaseMs);
  }

  /** A call whose flow died with its instance: hung up (once, whichever instance finds it: one command_id). */
  async hangUpOrphan(id: string): Promise<void> {
    try {
      await this.#options.actions.hangup(id, { command_id: `flows-orphan:${id}` });
    } catch (error) {
      // Already over (Telnyx answers 422 for a call that ended): nothing left to do.
      if ((error as { status?: number }).status !== 422) this.#options.onError(error);
    }
  }

  /** Stops the heartbeat, the sweep and the relay. */
  async close(): Promise<void> {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    const relay = await this.#relay.catch(() => undefined);
    await relay?.close();
  }
}
