// What the spec lets an app say about delivery, honoured: the application's webhook_event_failover_url (tried when
// the primary fails) and webhook_timeout_secs (a slower receiver counts as failed), and per command webhook_urls
// (an event type to its own URL) and webhook_retries_policies (exactly those retries). Webhook URLs must be
// http(s); a setting the simulator cannot honour is refused, not ignored.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Simulator, type SimulatorOptions, startSimulator } from "../src/index.js";
import { api, type DialData, startReceiver } from "./helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

type Errors = { errors: Array<{ code: string; detail: string; source?: { pointer?: string } }> };

async function setup(options: SimulatorOptions = {}) {
  let sim: Simulator | undefined;
  const primary = await startReceiver(() => sim!.publicKey);
  const failover = await startReceiver(() => sim!.publicKey);
  const warnings: string[] = [];
  sim = await startSimulator({
    answerDelayMs: 5,
    redelivery: { maxAttempts: 2, baseDelayMs: 5 },
    logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    ...options,
  });
  const s = sim;
  cleanups.push(async () => {
    await s.stop();
    await primary.close();
    await failover.close();
  });
  return { sim, primary, failover, warnings, call: api(sim) };
}

/** Waits (bounded) until the call has ended, then until its webhooks are delivered or given up. */
async function endedAndDelivered(sim: Simulator, id: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (sim.calls.get(id)?.state !== "ended") {
    if (Date.now() > deadline) throw new Error(`call ${id} did not end`);
    await new Promise((r) => setTimeout(r, 5));
  }
  await sim.idle();
}

async function application(call: ReturnType<typeof api>, body: Record<string, unknown>): Promise<string> {
  const res = await call<{ data: { id: string } }>("POST", "/call_control_applications", {
    application_name: "delivery",
    ...body,
  });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

const dialFrom = (connection_id: string, extra: Record<string, unknown> = {}) => ({
  connection_id,
  from: "+12025550100",
  to: "+12025550486",
  ...extra,
});

describe("the application's failover URL", () => {
  it("gets each attempt the primary refused, with the same meta.attempt and its own delivered_to", async () => {
    const { sim, primary, failover, call } = await setup();
    primary.respond = () => 500;
    const app = await application(call, { webhook_event_url: primary.url, webhook_event_failover_url: failover.url });
    const dialed = await call<DialData>("POST", "/calls", dialFrom(app));
    await endedAndDelivered(sim, dialed.body.data.call_control_id);
    expect(failover.events.map((e) => [e.data.event_type, e.meta.attempt, e.meta.delivered_to])).toEqual([
      ["call.initiated", 1, failover.url],
      ["call.hangup", 1, failover.url],
    ]);
    expect(sim.deliveries.map((d) => [d.eventType, d.attempt, d.target, d.status, d.ok, d.final])).toEqual([
      ["call.initiated", 1, "primary", 500, false, false],
      ["call.initiated", 1, "failover", 200, true, true],
      ["call.hangup", 1, "primary", 500, false, false],
      ["call.hangup", 1, "failover", 200, true, true],
    ]);
  });

  it("gets the events when nothing listens at the primary, which is reported once with the reason", async () => {
    const { sim, failover, warnings, call } = await setup();
    const dead = "http://127.0.0.1:9/nobody-here";
    const app = await application(call, { webhook_event_url: dead, webhook_event_failover_url: failover.url });
    const dialed = await call<DialData>("POST", "/calls", dialFrom(app));
    await endedAndDelivered(sim, dialed.body.data.call_control_id);
    expect(failover.events.map((e) => e.data.event_type)).toEqual(["call.initiated", "call.hangup"]);
    const reports = warnings.filter((w) => w.includes(dead));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/not reachable \(.*ECONNREFUSED.*\): is your receiver listening there\?/);
  });

  it("a password in a URL nobody listens at stays out of the report", async () => {
    const { sim, warnings, call } = await setup({ redelivery: { maxAttempts: 1 } });
    const dead = "http://hook:s3cret-pass@127.0.0.1:9/nobody-here";
    const dialed = await call<DialData>("POST", "/calls", dialFrom("c", { webhook_url: dead }));
    await endedAndDelivered(sim, dialed.body.data.call_control_id);
    expect(warnings.filter((w) => w.includes("127.0.0.1:9/nobody-here"))).toHaveLength(1);
    expect(warnings.join("\n")).not.toContain("s3cret-pass");
  });

  it("webhook_timeout_secs: a receiver slower than that counts as failed and the failover gets it", async () => {
    const { sim, failover, call } = await setup({ redelivery: { maxAttempts: 1 } });
    const slow = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200).end(), 3000).unref();
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          slow.closeAllConnections();
          slow.close(() => resolve());
        }),
    );
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    const app = await application(call, {
      webhook_event_url: slowUrl,
      webhook_event_failover_url: failover.url,
      webhook_timeout_secs: 1,
    });
    await call("POST", "/calls", dialFrom(app, { to: "+12025550111", answering_machine_detection: "disabled" }));
    await failover.waitFor((e) => e.length >= 1, "the failover delivery", 5000);
    const first = sim.deliveries[0];
    expect(first).toMatchObject({ target: "primary", ok: false, error: "no response within 1000 ms" });
    expect(failover.events[0]?.data.event_type).toBe("call.initiated");
  });
});

describe("webhook_urls and webhook_retries_policies", () => {
  it("sends an event type to its own URL and the rest to the call's", async () => {
    const { sim, primary, failover: hangups, call } = await setup();
    const dialed = await call<DialData>(
      "POST",
      "/calls",
      dialFrom("c", { webhook_url: primary.url, webhook_urls: { "call.hangup": hangups.url } }),
    );
    await endedAndDelivered(sim, dialed.body.data.call_control_id);
    expect(primary.events.map((e) => e.data.event_type)).toEqual(["call.initiated"]);
    expect(hangups.events.map((e) => [e.data.event_type, e.meta.delivered_to])).toEqual([["call.hangup", hangups.url]]);
  });

  it("retries an event type exactly as its policy says, and others by default", async () => {
    const { sim, primary, call } = await setup({ redelivery: { maxAttempts: 2, baseDelayMs: 1 } });
    primary.respond = () => 503;
    const dialed = await call<DialData>(
      "POST",
      "/calls",
      dialFrom("c", {
        webhook_url: primary.url,
        webhook_retries_policies: { "call.hangup": { retries_ms: [20, 0, 40] } },
      }),
    );
    await endedAndDelivered(sim, dialed.body.data.call_control_id);
    const hangup = sim.deliveries.filter((d) => d.eventType === "call.hangup");
    expect(hangup.map((d) => [d.attempt, d.final])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    // The delays between attempts are at least the policy's.
    const gaps = hangup.slice(1).map((d, i) => d.sentAt - (hangup[i]!.sentAt + hangup[i]!.durationMs!));
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(sim.deliveries.filter((d) => d.eventType === "call.initiated").map((d) => d.attempt)).toEqual([1, 2]);
  });

  it("answer and transfer take them too (answer for its call, transfer for the new leg)", async () => {
    const { sim, primary, failover: special, call } = await setup();
    const inbound = sim.inboundCall({
      from: "+12025550142",
      to: "+12025550100",
      connectionId: "c",
      webhookUrl: primary.url,
    });
    const answered = await call("POST", `/calls/${inbound.callControlId}/actions/answer`, {
      webhook_urls: { "call.speak.started": special.url },
    });
    expect(answered.status).toBe(200);
    await call("POST", `/calls/${inbound.callControlId}/actions/speak`, { payload: "hi", voice: "female" });
    await call("POST", `/calls/${inbound.callControlId}/actions/transfer`, {
      to: "+12025550177",
      webhook_urls: { "call.initiated": special.url },
    });
    await sim.idle();
    expect(special.events.map((e) => e.data.event_type).sort()).toEqual(["call.initiated", "call.speak.started"]);
    const leg = special.events.find((e) => e.data.event_type === "call.initiated");
    expect(leg?.data.payload.call_control_id).not.toBe(inbound.callControlId);
  });
});

describe("what is refused, not ignored", () => {
  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["a javascript: webhook_url", { webhook_url: "javascript:alert(1)" }, "/webhook_url", /http\(s\) URL/],
    ["a file: webhook_url", { webhook_url: "file:///etc/passwd" }, "/webhook_url", /http\(s\) URL/],
    [
      "a file: URL in webhook_urls",
      { webhook_urls: { "call.hangup": "file:///x" } },
      "/webhook_urls/call.hangup",
      /http/,
    ],
    [
      "an event type that does not exist (the spec's own example)",
      { webhook_urls: { "call.bridge": "https://example.com/b" } },
      "/webhook_urls/call.bridge",
      /no event type of the spec; did you mean 'call.bridged'\?/,
    ],
    [
      "retries adding up to more than 60 s",
      { webhook_retries_policies: { "call.hangup": { retries_ms: [30000, 30001] } } },
      "/webhook_retries_policies/call.hangup/retries_ms",
      /60000 ms/,
    ],
    [
      "a policy without retries_ms",
      { webhook_retries_policies: { "call.hangup": {} } },
      "/webhook_retries_policies/call.hangup/retries_ms",
      /is required/,
    ],
  ];

  it.each(bad)("a dial with %s: 422 at the field", async (_, extra, pointer, detail) => {
    const { sim, call } = await setup({ webhookUrl: "http://127.0.0.1:9/x" });
    const res = await call<Errors>("POST", "/calls", dialFrom("c", extra));
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.source?.pointer).toBe(pointer);
    expect(res.body.errors[0]?.detail).toMatch(detail);
    expect(sim.calls.list()).toEqual([]);
  });

  it("webhook GET delivery is refused with what to do instead", async () => {
    const { call } = await setup({ webhookUrl: "http://127.0.0.1:9/x" });
    const res = await call<Errors>("POST", "/calls", dialFrom("c", { webhook_url_method: "GET" }));
    expect(res.status).toBe(422);
    expect(res.body.errors[0]?.detail).toMatch(/GET is not simulated.*Leave it out or send "POST"/);
  });

  it("an application's webhook URLs must be http(s), on create and update", async () => {
    const { call } = await setup();
    const create = await call<Errors>("POST", "/call_control_applications", {
      application_name: "x",
      webhook_event_url: "javascript:alert(1)",
    });
    expect([create.status, create.body.errors[0]?.source?.pointer]).toEqual([422, "/webhook_event_url"]);
    const id = await application(call, { webhook_event_url: "https://example.com/hooks" });
    const update = await call<Errors>("PATCH", `/call_control_applications/${id}`, {
      application_name: "x",
      webhook_event_url: "https://example.com/hooks",
      webhook_event_failover_url: "file:///tmp/x",
    });
    expect([update.status, update.body.errors[0]?.source?.pointer]).toEqual([422, "/webhook_event_failover_url"]);
    // An empty failover URL is how the spec says "none".
    const cleared = await call("PATCH", `/call_control_applications/${id}`, {
      application_name: "x",
      webhook_event_url: "https://example.com/hooks",
      webhook_event_failover_url: "",
    });
    expect(cleared.status).toBe(200);
  });
});

describe("warnings", () => {
  it("binding anything but loopback with the default key prints a warning; with a key of your own, none", async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const open = await startSimulator({ host: "0.0.0.0", logger });
    await open.stop();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/listening on 0\.0\.0\.0 with the default API key KEY_SIMULATOR/);
    const keyed = await startSimulator({ host: "0.0.0.0", apiKey: "KEY_private_1234", logger });
    await keyed.stop();
    const local = await startSimulator({ host: "127.0.0.1", logger });
    await local.stop();
    expect(warnings).toHaveLength(1);
    expect(warnings.join("\n")).not.toContain("KEY_private_1234");
  });
});
