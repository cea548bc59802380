// What one webhook costs the router on Redis, counted by Redis itself (MONITOR lists every command a client
// sends, and apart from it the commands a script runs, marked "lua"): a store with the combined operations
// against the same store given to the router without them (the separate operations, as before). One redis-server.
import { createHash } from "node:crypto";
import { createClient } from "@redis/client";
import type { WebhookEvent, WebhookStore } from "@telnyx-voice/webhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Webhooks } from "../../webhooks/src/node.js";
import { keys } from "../../webhooks/test/router/suite.js";
import { LUA } from "../src/generated/lua.js";
import { type RedisStore, redisStore } from "../src/index.js";

const url = inject("redisUrl");
const monitor = createClient({ url });
/** What clients sent (not what scripts ran), one line each: `<time> [<db> <addr>] "COMMAND" "arg" ...`. */
const sent: string[] = [];
const opened: RedisStore[] = [];
beforeAll(async () => {
  await monitor.connect();
  await monitor.monitor((line) => {
    if (!String(line).includes(" lua]")) sent.push(String(line));
  });
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await monitor.close();
});

const unique = (what: string) => `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The same Redis store without the combined operations or onChange: the router takes its separate steps. */
function separate(store: RedisStore): WebhookStore {
  return {
    claimEvent: store.claimEvent.bind(store),
    completeEvent: store.completeEvent.bind(store),
    releaseEvent: store.releaseEvent.bind(store),
    renew: store.renew.bind(store),
    joinCall: store.joinCall.bind(store),
    enterCall: store.enterCall.bind(store),
    leaveCall: store.leaveCall.bind(store),
    reserve: store.reserve.bind(store),
  };
}

function callEvent(call: string, id: string): WebhookEvent {
  return {
    data: {
      record_type: "event",
      event_type: "call.answered",
      id,
      occurred_at: new Date().toISOString(),
      payload: { call_control_id: call, call_leg_id: call, connection_id: "1" },
    },
    meta: { attempt: 1, delivered_to: "http://127.0.0.1/webhooks" },
  } as unknown as WebhookEvent;
}

/** Resolves once MONITOR has shown every command Redis ran before now (it shows them in the order they ran). */
async function settled(): Promise<void> {
  const marker = unique("marker");
  const client = monitor.duplicate();
  await client.connect();
  await client.get(marker);
  await client.close();
  for (let waited = 0; !sent.some((l) => l.includes(marker)); waited += 5) {
    if (waited > 5000) throw new Error("MONITOR did not show the marker within 5 s");
    await pause(5);
  }
}

/** The commands sent with `prefix` in them while `work` ran. */
async function counted(prefix: string, work: () => Promise<void>): Promise<string[]> {
  await settled();
  const from = sent.length;
  await work();
  await settled();
  return sent.slice(from).filter((l) => l.includes(prefix));
}

/** A MONITOR line's command and arguments. */
const argsOf = (line: string) =>
  [...line.slice(line.indexOf("]")).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? "");
const sha = (source: string) => createHash("sha1").update(source).digest("hex");
/** The script an EVALSHA line runs, by name. */
const scriptOf = (line: string) => {
  const [command, hash] = argsOf(line);
  if (command?.toUpperCase() !== "EVALSHA") return undefined;
  return Object.entries(LUA).find(([, source]) => sha(source) === hash)?.[0];
};

describe("round trips per webhook on Redis (counted with MONITOR)", () => {
  it("handles an event of a call in 2 commands with the combined operations, where the separate ones take 5", async () => {
    const events = 10;
    const perEvent: Record<string, string> = {};
    for (const [name, combined] of [
      ["separate", false],
      ["combined", true],
    ] as const) {
      const prefix = `${unique(`rt-${name}`)}:`;
      const store = redisStore({ url, keyPrefix: prefix });
      opened.push(store);
      const router = new Webhooks({ publicKey: keys.publicKey })
        .router({ store: combined ? store : separate(store) })
        .otherwise(() => {});
      // Warm: the scripts are loaded and the connection is up.
      await router.handle(callEvent(unique("call"), unique("warm")));
      const lines = await counted(prefix, async () => {
        for (let i = 0; i < events; i++) await router.handle(callEvent(unique("call"), unique("event")));
      });
      // Each operation is one EVALSHA (and, had another test flushed the scripts, an EVAL after it: not counted).
      const scripts = lines.filter((l) => scriptOf(l) !== undefined);
      perEvent[name] = scripts.map(scriptOf).join(" ");
      // Nothing else: no announcement (no one waited). The separate completeEvent announces every completion (a
      // PUBLISH): its claims carry no mark saying whether a copy waits.
      const others = lines.filter((l) => scriptOf(l) === undefined && argsOf(l)[0]?.toUpperCase() !== "EVAL");
      expect(others.map((l) => argsOf(l)[0]?.toUpperCase())).toEqual(
        name === "separate" ? Array(events).fill("PUBLISH") : [],
      );
    }
    // claimEvent, joinCall, enterCall, leaveCall with completeEvent -> claimAndJoin (entering), completeAndLeave.
    expect(perEvent).toEqual({
      separate: Array(events).fill("claim joinCall enterCall leaveCall complete").join(" "),
      combined: Array(events).fill("claimJoin completeLeave").join(" "),
    });
  });

  it("renews everything a router holds in one command per beat, where the separate operations send two per event", async () => {
    const held = 8;
    const renewals: Partial<Record<"separate" | "combined", { commands: number; keys: number[] }>> = {};
    for (const [name, combined] of [
      ["separate", false],
      ["combined", true],
    ] as const) {
      const prefix = `${unique(`renew-${name}`)}:`;
      const store = redisStore({ url, keyPrefix: prefix });
      opened.push(store);
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let started = 0;
      // leaseMs 150: a beat every 50 ms while the handlers hold their events.
      const router = new Webhooks({ publicKey: keys.publicKey })
        .router({ store: combined ? store : separate(store), leaseMs: 150 })
        .otherwise(async (event) => {
          if (event.data.id.startsWith("warm")) return;
          started++;
          await gate;
        });
      await router.handle(callEvent(unique("call"), unique("warm")));
      const lines = await counted(prefix, async () => {
        const running = Array.from({ length: held }, () => router.handle(callEvent(unique("call"), unique("event"))));
        while (started < held) await pause(5);
        await pause(400);
        open();
        await Promise.all(running);
      });
      const renews = lines.filter((l) => ["renewClaim", "renewTurn", "renewHeld"].includes(scriptOf(l) ?? ""));
      // EVALSHA <sha> <numkeys> ...
      renewals[name] = { commands: renews.length, keys: renews.map((l) => Number(argsOf(l)[2])) };
    }
    const { separate: apart, combined: together } = renewals as Required<typeof renewals>;
    // A beat renews every held event: 2 commands of one key each per event (its claim; its turn in its call, in
    // another slot of a cluster), or 1 command for all of them (2 keys each). A beat may come while the last
    // ones complete, and then carry fewer.
    expect(apart.keys.every((n) => n === 1)).toBe(true);
    expect(apart.commands).toBeGreaterThanOrEqual(2 * held);
    expect(together.keys.every((n) => n % 2 === 0 && n <= 2 * held)).toBe(true);
    expect(together.keys.filter((n) => n === 2 * held).length).toBeGreaterThanOrEqual(1);
  });
});
