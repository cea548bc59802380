// The router's guarantees over real HTTP, for any store: n "instances" (routers, each behind its own
// loopback server, half of them node:http handlers and half Fetch handlers) share state through the stores
// `setup.stores(n)` returns. Run here over memoryStore, and in @telnyx-voice/redis over redisStores sharing
// one real Redis. Every case would fail without the guarantee it names.
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { RouteInfo, RouterOptions, WebhookStore } from "../../src/node.js";
import { Webhooks } from "../../src/node.js";
import { nodeKeys, nodeSign } from "../helpers.js";
import { fetchServer, listen, post, type Reply } from "../http-helpers.js";

export interface RouterSuiteSetup {
  /** `n` stores sharing their state, as `n` instances would (the same store n times is fine). */
  stores(n: number): Promise<WebhookStore[]> | WebhookStore[];
}

/** The key pair every delivery of these suites is signed with. */
export const keys = nodeKeys();
let sequence = 0;

export interface EventSpec {
  id?: string;
  type?: string;
  call?: string | undefined;
  /** `call_leg_id`: alone on recording events, which carry no `call_control_id`. */
  leg?: string;
  session?: string;
  /** Milliseconds after a fixed instant; becomes `occurred_at` with microseconds. */
  at?: number;
}

/** A signed Telnyx-shaped event body. */
export function eventBody(spec: EventSpec = {}): { id: string; body: string } {
  const id = spec.id ?? `evt-${Date.now().toString(36)}-${sequence++}-${Math.random().toString(36).slice(2, 8)}`;
  const base = Date.UTC(2026, 6, 16, 12, 0, 0);
  const at = spec.at ?? sequence;
  const micros = Math.round((at % 1) * 1000);
  const iso = new Date(base + Math.floor(at)).toISOString().replace("Z", `${String(micros).padStart(3, "0")}Z`);
  const payload: Record<string, unknown> = { connection_id: "1684641123236054244" };
  if (spec.call !== undefined) payload.call_control_id = spec.call;
  if (spec.leg !== undefined) payload.call_leg_id = spec.leg;
  if (spec.session !== undefined) payload.call_session_id = spec.session;
  const body = JSON.stringify({
    data: { record_type: "event", event_type: spec.type ?? "call.answered", id, occurred_at: iso, payload },
    meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
  });
  return { id, body };
}

export function deliverTo(url: string, body: string): Promise<Reply> {
  return post(url, body, nodeSign(keys, body));
}

export interface Handled {
  id: string;
  call: string | undefined;
  instance: number;
  start: number;
  end: number;
  late: boolean;
}

/** Handlers of one call never overlapped, by their recorded start and end. */
export function overlaps(handled: Handled[]): string[] {
  const byCall = new Map<string, Handled[]>();
  for (const h of handled) if (h.call !== undefined) byCall.set(h.call, [...(byCall.get(h.call) ?? []), h]);
  const found: string[] = [];
  for (const [call, list] of byCall) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.start < list[i - 1]!.end) found.push(`${call}: ${list[i - 1]!.id} and ${list[i]!.id}`);
    }
  }
  return found;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A gate handlers wait at until the test opens it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Resolves once `condition` holds, polling; fails the test after `ms`. */
async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await pause(5);
  }
}

type Work = (event: { id: string; call: string | undefined }, info: RouteInfo, instance: number) => unknown;

export function routerSuite(label: string, setup: RouterSuiteSetup): void {
  describe(`router guarantees: ${label}`, () => {
    const closers: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const close of closers.splice(0)) await close();
    });

    /** `n` instances with the same routes; `work` runs as the handler of every event type. */
    async function instances(n: number, options: RouterOptions, work: Work = () => {}) {
      const stores = await setup.stores(n);
      const handled: Handled[] = [];
      const errors: unknown[] = [];
      const urls: string[] = [];
      for (let i = 0; i < n; i++) {
        const webhooks = new Webhooks({ publicKey: keys.publicKey, onError: (e) => errors.push(e) });
        const router = webhooks.router({ ...options, store: stores[i] }).otherwise(async (event, info) => {
          const payload = event.data.payload as { call_control_id?: string };
          const record: Handled = {
            id: event.data.id,
            call: payload.call_control_id,
            instance: i,
            start: performance.now(),
            end: Number.POSITIVE_INFINITY,
            late: info.late,
          };
          handled.push(record);
          try {
            await work({ id: record.id, call: record.call }, info, i);
          } finally {
            record.end = performance.now();
          }
        });
        const server = i % 2 === 0 ? createServer(router.nodeHandler()) : fetchServer(router.fetchHandler());
        const { url, close } = await listen(server);
        closers.push(close);
        urls.push(url);
      }
      return { urls, handled, errors, stores, url: (i: number) => urls[i % n]! };
    }

    it("answers a duplicate of a handled event 200 on every instance without calling the app", async () => {
      const { url, handled } = await instances(3, {});
      const event = eventBody({ call: "call-dup" });
      for (let i = 0; i < 3; i++) expect((await deliverTo(url(i), event.body)).status).toBe(200);
      expect(handled.map((h) => h.id)).toEqual([event.id]);
    });

    it("runs concurrent copies once, and answers none of them before the outcome is known", async () => {
      const held = gate();
      const { url, handled } = await instances(3, {}, () => held.wait);
      const event = eventBody({ call: "call-copies" });
      const answeredAt: number[] = [];
      const replies = Array.from({ length: 6 }, (_, i) =>
        deliverTo(url(i), event.body).then((reply) => {
          answeredAt.push(performance.now());
          return reply;
        }),
      );
      await until(() => handled.length === 1, "the handler to start");
      await pause(100);
      const openedAt = performance.now();
      held.open();
      expect((await Promise.all(replies)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(handled).toHaveLength(1);
      expect(answeredAt.every((t) => t >= openedAt)).toBe(true);
    });

    it("releases the event when its handler throws: a waiting copy handles it, and a redelivery is answered 200", async () => {
      const held = gate();
      let calls = 0;
      const { url, handled, errors } = await instances(2, {}, async () => {
        calls++;
        if (calls === 1) {
          await held.wait;
          throw new Error("first attempt fails");
        }
      });
      const event = eventBody({ call: "call-fails" });
      const first = deliverTo(url(0), event.body);
      await until(() => handled.length === 1, "the first attempt to start");
      const second = deliverTo(url(1), event.body);
      await pause(50);
      held.open();
      expect((await first).status).toBe(500);
      expect((await second).status).toBe(200);
      expect(calls).toBe(2);
      expect(errors.map((e) => (e as Error).message)).toEqual(["first attempt fails"]);
      expect((await deliverTo(url(0), event.body)).status).toBe(200);
      expect(calls).toBe(2);
    });

    it("handles the redelivery of an event whose handler failed", async () => {
      let calls = 0;
      const { url } = await instances(2, {}, () => {
        calls++;
        if (calls === 1) throw new Error("transient");
      });
      const event = eventBody({ call: "call-retry" });
      expect((await deliverTo(url(0), event.body)).status).toBe(500);
      expect((await deliverTo(url(1), event.body)).status).toBe(200);
      expect(calls).toBe(2);
    });

    it("never overlaps the handlers of one call across instances, and runs different calls side by side", async () => {
      const { url, handled } = await instances(3, { maxWaitMs: 20_000 }, async (event) => {
        // Different calls must be able to run at once: each call's first event waits for the other call.
        if (event.call?.startsWith("side-")) {
          const other = event.call === "side-a" ? "side-b" : "side-a";
          await until(() => handled.some((h) => h.call === other), "the other call's handler to run in parallel");
        }
        await pause(1 + Math.floor(Math.random() * 8));
      });
      const events = Array.from({ length: 24 }, (_, i) => eventBody({ call: "one-call", at: i }));
      const replies = await Promise.all([
        ...events.map((e, i) => deliverTo(url(i), e.body)),
        deliverTo(url(0), eventBody({ call: "side-a" }).body),
        deliverTo(url(1), eventBody({ call: "side-b" }).body),
      ]);
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(handled.filter((h) => h.call === "one-call")).toHaveLength(24);
      expect(overlaps(handled)).toEqual([]);
    });

    it("does not serialise events without a call", async () => {
      const { url, handled } = await instances(2, {}, async (event) => {
        await until(() => handled.length === 2, `both call-less events to run at once (${event.id})`);
      });
      const replies = await Promise.all([
        deliverTo(url(0), eventBody({ call: undefined }).body),
        deliverTo(url(1), eventBody({ call: undefined }).body),
      ]);
      expect(replies.map((r) => r.status)).toEqual([200, 200]);
    });

    it("with reorderWindowMs, hands a call's events to the app in occurred_at order across instances", async () => {
      const { url, handled } = await instances(3, { reorderWindowMs: 400 });
      const events = [30, 10, 20, 40, 0].map((at) => eventBody({ call: "call-order", at }));
      const replies: Array<Promise<Reply>> = [];
      for (const [i, e] of events.entries()) {
        replies.push(deliverTo(url(i), e.body));
        await pause(15);
      }
      expect((await Promise.all(replies)).every((r) => r.status === 200)).toBe(true);
      const order = [...handled].sort((a, b) => a.start - b.start).map((h) => h.id);
      expect(order).toEqual([events[4]!.id, events[1]!.id, events[2]!.id, events[0]!.id, events[3]!.id]);
      expect(handled.some((h) => h.late)).toBe(false);
    });

    it("with the default window (arrival order), handles an event older than a handled one, marked late", async () => {
      const { url, handled } = await instances(2, {});
      const newer = eventBody({ call: "call-late", at: 200 });
      const older = eventBody({ call: "call-late", at: 100.5 });
      const newest = eventBody({ call: "call-late", at: 300 });
      expect((await deliverTo(url(0), newer.body)).status).toBe(200);
      expect((await deliverTo(url(1), older.body)).status).toBe(200);
      expect((await deliverTo(url(0), newest.body)).status).toBe(200);
      expect(handled.map((h) => [h.id, h.late])).toEqual([
        [newer.id, false],
        [older.id, true],
        [newest.id, false],
      ]);
    });

    it("makes an earlier event that arrives while a later one runs wait for it (the call's lease), then marks it late", async () => {
      const held = gate();
      const { url, handled } = await instances(2, {}, (event) => (event.id.endsWith("-later") ? held.wait : undefined));
      const later = eventBody({ id: `${Date.now()}-later`, call: "call-lease", at: 20 });
      const earlier = eventBody({ call: "call-lease", at: 10 });
      const first = deliverTo(url(0), later.body);
      await until(() => handled.length === 1, "the later event's handler to start");
      const second = deliverTo(url(1), earlier.body);
      await pause(100);
      expect(handled).toHaveLength(1);
      held.open();
      expect([(await first).status, (await second).status]).toEqual([200, 200]);
      expect(handled.map((h) => [h.id, h.late])).toEqual([
        [later.id, false],
        [earlier.id, true],
      ]);
      expect(overlaps(handled)).toEqual([]);
    });

    it("answers 503 with Retry-After, never 200, to a copy that waited maxWaitMs for another copy's outcome", async () => {
      const held = gate();
      const { url, handled } = await instances(2, { maxWaitMs: 200 }, () => held.wait);
      const event = eventBody({ call: "call-slow" });
      const first = deliverTo(url(0), event.body);
      await until(() => handled.length === 1, "the handler to start");
      const copy = await deliverTo(url(1), event.body);
      expect(copy).toMatchObject({ status: 503, body: "event_in_progress" });
      expect(copy.headers["retry-after"]).toBe("1");
      held.open();
      expect((await first).status).toBe(200);
      expect((await deliverTo(url(1), event.body)).status).toBe(200);
      expect(handled).toHaveLength(1);
    });

    it("answers 503 to an event whose call stays busy past maxWaitMs, and handles its redelivery", async () => {
      const held = gate();
      const { url, handled } = await instances(2, { maxWaitMs: 200 }, (event) =>
        event.id.endsWith("-slow") ? held.wait : undefined,
      );
      const slow = eventBody({ id: `${Date.now()}-slow`, call: "call-busy", at: 1 });
      const next = eventBody({ call: "call-busy", at: 2 });
      const first = deliverTo(url(0), slow.body);
      await until(() => handled.length === 1, "the slow handler to start");
      expect(await deliverTo(url(1), next.body)).toMatchObject({ status: 503, body: "call_busy" });
      held.open();
      expect((await first).status).toBe(200);
      expect((await deliverTo(url(1), next.body)).status).toBe(200);
      expect(handled.map((h) => h.id)).toEqual([slow.id, next.id]);
    });

    it("keeps a long handler's claim and call alive past leaseMs (heartbeat)", { timeout: 20_000 }, async () => {
      let long = true;
      const { url, handled } = await instances(2, { leaseMs: 1000, maxWaitMs: 10_000 }, () => {
        if (!long) return;
        long = false;
        return pause(2500);
      });
      const event = eventBody({ call: "call-long" });
      const next = eventBody({ call: "call-long" });
      const first = deliverTo(url(0), event.body);
      await until(() => handled.length === 1, "the long handler to start");
      await pause(1500);
      const [copy, other] = await Promise.all([deliverTo(url(1), event.body), deliverTo(url(1), next.body)]);
      expect([(await first).status, copy.status, other.status]).toEqual([200, 200, 200]);
      expect(handled.map((h) => h.id)).toEqual([event.id, next.id]);
      expect(overlaps(handled)).toEqual([]);
    });

    it("frees an event and a call held by a dead instance within leaseMs; the event is handled elsewhere", async () => {
      const leaseMs = 300;
      const { url, handled, stores } = await instances(2, { leaseMs, maxWaitMs: 5000 });
      const store = stores[0]!;
      const orphan = eventBody({ call: "call-dead", at: 1 });
      const later = eventBody({ call: "call-dead", at: 2 });
      // An instance claimed the event, joined and entered its call, then died (no heartbeat, no release); as a
      // router does it, in one step on a store with the combined operations (whose claim may be kept elsewhere).
      const turn = { callKey: "call-dead", eventId: orphan.id, owner: "dead-instance", occurredAtMs: 0 };
      if (store.claimAndJoin) {
        expect(await store.claimAndJoin(turn, leaseMs, 60_000, true)).toEqual({
          claim: "claimed",
          entry: { entered: true, late: false },
        });
      } else {
        expect(await store.claimEvent(orphan.id, "dead-instance", leaseMs)).toBe("claimed");
        await store.joinCall(turn, leaseMs, 60_000);
        expect((await store.enterCall(turn, leaseMs)).entered).toBe(true);
      }
      const started = performance.now();
      const replies = await Promise.all([deliverTo(url(0), orphan.body), deliverTo(url(1), later.body)]);
      expect(replies.map((r) => r.status)).toEqual([200, 200]);
      expect(handled.map((h) => h.id).sort()).toEqual([orphan.id, later.id].sort());
      // Both waited for the dead instance's lease to lapse.
      expect(Math.min(...handled.map((h) => h.start)) - started).toBeGreaterThanOrEqual(leaseMs - 50);
      // Whichever went first, the other knows where it stands: the orphan is late if the later event went first.
      const orphanRun = handled.find((h) => h.id === orphan.id)!;
      const laterRun = handled.find((h) => h.id === later.id)!;
      expect(orphanRun.late).toBe(laterRun.start < orphanRun.start);
      expect(overlaps(handled)).toEqual([]);
    });

    it("serialises by callKey: call_session_id puts a session's legs in one line; so does a function", async () => {
      const bySession = (event: { data: { payload: unknown } }) =>
        (event.data.payload as { call_session_id?: string }).call_session_id;
      for (const callKey of ["call_session_id", bySession] as const) {
        const { url, handled } = await instances(2, { callKey }, () => pause(20));
        const session = `session-${Math.random().toString(36).slice(2)}`;
        const legs = ["leg-a", "leg-b", "leg-a", "leg-b"].map((call) => eventBody({ call, session }));
        const replies = await Promise.all(legs.map((e, i) => deliverTo(url(i), e.body)));
        expect(replies.every((r) => r.status === 200)).toBe(true);
        const runs = [...handled].sort((a, b) => a.start - b.start);
        expect(runs).toHaveLength(4);
        for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
      }
      // By leg (the default) the two legs are two calls, handled side by side.
      const { url, handled } = await instances(2, {}, () =>
        until(() => handled.length === 2, "both legs to run at once"),
      );
      const replies = await Promise.all([
        deliverTo(url(0), eventBody({ call: "leg-x", session: "s" }).body),
        deliverTo(url(1), eventBody({ call: "leg-y", session: "s" }).body),
      ]);
      expect(replies.map((r) => r.status)).toEqual([200, 200]);
    });

    it("by default, an event that names only its leg (a recording saved) waits its turn with the rest of its call", async () => {
      const held = gate();
      const { url, handled } = await instances(2, { reorderWindowMs: 0 }, (event) =>
        event.id === hangup.id ? held.wait : undefined,
      );
      const leg = `leg-${Math.random().toString(36).slice(2)}`;
      const hangup = eventBody({ call: `v3:${leg}`, leg, type: "call.hangup" });
      const saved = eventBody({ leg, type: "call.recording.saved" });
      const first = deliverTo(url(0), hangup.body);
      await until(() => handled.length === 1, "the hangup to start");
      const second = deliverTo(url(1), saved.body);
      await pause(100);
      // The recording waits for its call's hangup, although it carries no call_control_id.
      expect(handled.map((h) => h.id)).toEqual([hangup.id]);
      held.open();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      expect(handled.map((h) => h.id)).toEqual([hangup.id, saved.id]);
      expect(handled[1]!.start).toBeGreaterThanOrEqual(handled[0]!.end);
    });
  });
}
