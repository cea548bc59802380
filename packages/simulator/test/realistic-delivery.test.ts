// Delivery as Telnyx does it (delivery: { duplicateRate, concurrency, jitterMs, seed }): duplicates with the same
// data.id and payload, each signed anew; several of one call's events in flight at once; events overtaking one
// another; and the same seed giving the same duplicates and order. The default stays polite: once, in order, one
// at a time. Every delivery here is verified with node:crypto by a receiver that is not ours.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type DeliveryOptions, type Simulator, startSimulator } from "../src/index.js";
import { api, type DialData, type ReceivedEvent, verifySignature } from "./helpers.js";

interface Arrival {
  event: ReceivedEvent;
  raw: string;
}

/** A receiver that answers each POST after `delayMs` and tracks how many of a call's deliveries overlap. */
async function slowReceiver(publicKey: () => string, delayMs: number) {
  const arrivals: Arrival[] = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  let unverified = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const ts = String(req.headers["telnyx-timestamp"]);
      const sig = String(req.headers["telnyx-signature-ed25519"]);
      if (!verifySignature(publicKey(), raw, ts, sig)) {
        unverified++;
        res.writeHead(401).end();
        return;
      }
      const event = JSON.parse(raw) as ReceivedEvent;
      const call = String(event.data.payload.call_control_id);
      const now = (inFlight.get(call) ?? 0) + 1;
      inFlight.set(call, now);
      maxInFlight.set(call, Math.max(maxInFlight.get(call) ?? 0, now));
      arrivals.push({ event, raw });
      setTimeout(() => {
        inFlight.set(call, (inFlight.get(call) ?? 1) - 1);
        res.writeHead(200).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    maxInFlight,
    unverified: () => unverified,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/**
 * One call that emits a burst: dialed and answered, a gather started, ten digits pressed at once (ten
 * call.dtmf.received in one turn of the event loop), then hung up (call.gather.ended, call.hangup).
 */
async function burst(delivery: DeliveryOptions | undefined, delayMs = 5) {
  let sim: Simulator | undefined;
  const receiver = await slowReceiver(() => sim!.publicKey, delayMs);
  sim = await startSimulator({ webhookUrl: receiver.url, answerDelayMs: 1, delivery, redelivery: { maxAttempts: 1 } });
  const s = sim;
  cleanups.push(async () => {
    await s.stop();
    await receiver.close();
  });
  const call = api(sim);
  const id = (await call<DialData>("POST", "/calls", { connection_id: "c", from: "+12025550100", to: "+12025550111" }))
    .body.data.call_control_id;
  while (sim.calls.get(id)?.state !== "answered") await new Promise((r) => setTimeout(r, 2));
  await call("POST", `/calls/${id}/actions/gather`, { maximum_digits: 20, timeout_millis: 60000 });
  sim.calls.get(id)?.pressDigits("1234567890");
  await call("POST", `/calls/${id}/actions/hangup`, {});
  await sim.idle();
  const emitted = sim.events.filter((e) => e.callControlId === id).map((e) => e.event.data.id);
  /** Arrivals as positions in emission order: [0, 1, 2, ...] when in order. */
  const order = receiver.arrivals.map((a) => emitted.indexOf(a.event.data.id));
  return { sim, receiver, id, emitted, order };
}

describe("polite delivery (the default)", () => {
  it("each event once, in order, one at a time", async () => {
    const { receiver, id, emitted, order } = await burst(undefined);
    expect(emitted.length).toBe(14);
    expect(order).toEqual(emitted.map((_, i) => i));
    expect(receiver.maxInFlight.get(id)).toBe(1);
    expect(receiver.unverified()).toBe(0);
  });
});

describe("realistic delivery", () => {
  it("duplicateRate 1: every event twice, same data.id and payload, each copy signed anew, meta.attempt 1 on both", async () => {
    const { sim, receiver, emitted } = await burst({ duplicateRate: 1 });
    expect(receiver.unverified()).toBe(0);
    expect(receiver.arrivals).toHaveLength(emitted.length * 2);
    for (const id of emitted) {
      const copies = receiver.arrivals.filter((a) => a.event.data.id === id);
      expect(copies).toHaveLength(2);
      expect(copies[0]?.event.data).toEqual(copies[1]?.event.data);
      expect(copies.map((c) => c.event.meta.attempt)).toEqual([1, 1]);
    }
    const records = sim.deliveries;
    expect(records.every((d) => d.ok && d.final && d.attempt === 1)).toBe(true);
    expect(new Set(records.map((d) => `${d.eventId}/${d.copy}`)).size).toBe(emitted.length * 2);
  });

  it("duplicateRate 0.5: some events twice, the others once, none lost", async () => {
    const { receiver, emitted } = await burst({ duplicateRate: 0.5, seed: 3 });
    const counts = emitted.map((id) => receiver.arrivals.filter((a) => a.event.data.id === id).length);
    expect(counts.every((n) => n === 1 || n === 2)).toBe(true);
    expect(counts).toContain(1);
    expect(counts).toContain(2);
  });

  it("concurrency 4: up to four of one call's events in flight at once, never more", async () => {
    const { receiver, id } = await burst({ concurrency: 4 }, 40);
    expect(receiver.maxInFlight.get(id)).toBeGreaterThan(1);
    expect(receiver.maxInFlight.get(id)).toBeLessThanOrEqual(4);
  });

  it("jitterMs: a call's events overtake one another, and every one still arrives", async () => {
    const { order, emitted } = await burst({ jitterMs: 60, seed: 7 });
    expect([...order].sort((a, b) => a - b)).toEqual(emitted.map((_, i) => i));
    expect(order).not.toEqual(emitted.map((_, i) => i));
  });

  it("the same seed gives the same duplicates and order; another seed, others", async () => {
    const options = { duplicateRate: 0.4, jitterMs: 40 };
    // Which events were duplicated (by emission index), and the arrival order of the ten digits, emitted in one
    // turn of the event loop. (Events emitted at different moments race with real time, not with the seed.)
    const shape = (run: Awaited<ReturnType<typeof burst>>) => ({
      copies: run.emitted.map((_, i) => run.order.filter((o) => o === i).length).join(""),
      digits: run.order.filter((o) => o >= 2 && o <= 11).join(","),
    });
    const first = shape(await burst({ ...options, seed: 11 }));
    const again = shape(await burst({ ...options, seed: 11 }));
    expect(again).toEqual(first);
    expect(first.copies).toMatch(/2/);
    const others = [shape(await burst({ ...options, seed: 12 })), shape(await burst({ ...options, seed: 13 }))];
    expect(others.some((o) => o.copies !== first.copies)).toBe(true);
    expect(others.some((o) => o.digits !== first.digits)).toBe(true);
  });

  it("refuses bad delivery options with a clear error", async () => {
    await expect(startSimulator({ delivery: { duplicateRate: 1.5 } })).rejects.toThrow(
      "delivery.duplicateRate must be a number from 0 to 1, got 1.5",
    );
    await expect(startSimulator({ delivery: { concurrency: 0 } })).rejects.toThrow(
      "delivery.concurrency must be an integer >= 1, got 0",
    );
    await expect(startSimulator({ delivery: { jitterMs: -1 } })).rejects.toThrow(
      "delivery.jitterMs must be a number >= 0",
    );
    await expect(startSimulator({ delivery: { seed: 1.5 } })).rejects.toThrow("delivery.seed must be an integer");
  });
});
