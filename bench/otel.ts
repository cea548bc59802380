// What telemetry costs, side by side in one run: a dial (against a loopback server that answers at once) and a
// webhook through the router's fetch handler (verify, claim, turn, handler), each with telemetry off (the
// default: the core reads one empty global slot per request), enabled with no OpenTelemetry SDK registered (the
// API's no-op tracer and meter), and enabled with an SDK registered (tracer provider with a batch processor and an
// exporter that drops, AsyncLocalStorage context manager, meter provider). Blocks of each case, in every order,
// many rounds; ratios are medians of the per-round ratios. Measured in this process's CPU time (user + system),
// not wall time: on a shared machine a process waiting for a core is the neighbours' noise, not our cost; the
// dial's server is a process of its own, so a dial's figure is the client's side only (stricter than wall time).
// With no SDK registered, enabled telemetry makes nothing: a request asks the API whether a tracer or meter
// provider is registered, and goes on as if it were off.
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { Telnyx } from "@telnyx-voice/client";
import { enableTelemetry as enableClient } from "@telnyx-voice/client/otel";
import { Webhooks } from "@telnyx-voice/webhooks";
import { enableTelemetry as enableWebhooks } from "@telnyx-voice/webhooks/otel";
import { createSigner, generateKeyPair } from "@telnyx-voice/webhooks/testing";
import { permutations, startServer, timeDials } from "./client.ts";
import { median } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const DIAL = { connection_id: "1494404757140276705", from: "+13125550001", to: "+13125550002" };
type Mode = "off" | "noSdk" | "sdk";
const MODES: Mode[] = ["off", "noSdk", "sdk"];

/** An SDK as an app registers one; `unregister` takes it away again (between blocks). */
function sdk(): { register(): void; unregister(): void; shutdown(): Promise<void> } {
  const drop: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const tracing = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] });
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const metering = new MeterProvider({ readers: [reader] });
  const contexts = new AsyncLocalStorageContextManager();
  return {
    register() {
      contexts.enable();
      context.setGlobalContextManager(contexts);
      trace.setGlobalTracerProvider(tracing);
      metrics.setGlobalMeterProvider(metering);
    },
    unregister() {
      trace.disable();
      metrics.disable();
      context.disable();
      // AsyncLocalStorage's hooks stay on while it is enabled: off, so the other cases do not pay for them.
      contexts.disable();
    },
    async shutdown() {
      await tracing.shutdown();
      await metering.shutdown();
    },
  };
}

/** CPU time of this process while `work` runs, in ms per `count`. */
async function cpuPer(count: number, work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

/** Runs `block` per mode in every order for `rounds` rounds, switching telemetry on and off around each block. */
async function sideBySide(
  rounds: number,
  enable: () => () => void,
  block: (mode: Mode) => Promise<number>,
): Promise<{ t: Record<Mode, number>; ratio(a: Mode, b: Mode): number }> {
  const registered = sdk();
  const samples: Record<Mode, number[]> = { off: [], noSdk: [], sdk: [] };
  const run = async (mode: Mode) => {
    if (mode === "sdk") registered.register();
    const disable = mode === "off" ? undefined : enable();
    try {
      return await block(mode);
    } finally {
      disable?.();
      if (mode === "sdk") registered.unregister();
    }
  };
  for (const mode of MODES) await run(mode); // warm-up
  const orders = permutations(MODES);
  for (let round = 0; round < rounds; round++) {
    for (const mode of orders[round % orders.length] as Mode[]) samples[mode].push(await run(mode));
  }
  await registered.shutdown();
  const t = Object.fromEntries(MODES.map((m) => [m, median(samples[m])])) as Record<Mode, number>;
  const ratio = (a: Mode, b: Mode) =>
    median(Array.from({ length: rounds }, (_, i) => (samples[a][i] as number) / (samples[b][i] as number)));
  return { t, ratio };
}

/** The two rows of one workload: enabled with no SDK registered (the target), and with an SDK registered. */
function overheadRows(
  what: string,
  unit: string,
  recorded: string,
  t: Record<Mode, number>,
  ratio: (a: Mode, b: Mode) => number,
): BenchRow[] {
  const us = (v: number) => `${(v * 1000).toFixed(0)} us CPU/${unit}`;
  const noSdk = ratio("noSdk", "off");
  return [
    {
      metric: `${what}: enabled, no SDK registered vs off`,
      ours: us(t.noSdk),
      baseline: `off: ${us(t.off)}`,
      ratio: noSdk,
      better: "lower",
      target: "<= 1.02x",
      pass: noSdk <= 1.02,
    },
    {
      metric: `${what}: an SDK registered vs off (${recorded})`,
      ours: us(t.sdk),
      baseline: `off: ${us(t.off)}`,
      ratio: ratio("sdk", "off"),
      better: "lower",
    },
  ];
}

async function dialRows(dialsPerBlock: number, rounds: number): Promise<{ rows: BenchRow[]; offCpuMs: number }> {
  const { url, child } = await startServer();
  try {
    const telnyx = new Telnyx({ apiKey: "KEY_BENCH_0000", baseURL: url });
    const { t, ratio } = await sideBySide(rounds, enableClient, () =>
      cpuPer(dialsPerBlock, async () => {
        await timeDials(() => telnyx.calls.dial(DIAL), dialsPerBlock);
      }),
    );
    const what = `telemetry, dial (${dialsPerBlock} x ${rounds} sequential dials)`;
    const rows = overheadRows(what, "dial", "2 spans, 3 metric points a dial", t, ratio);
    return { rows, offCpuMs: t.off };
  } finally {
    child.kill();
  }
}

async function webhookRows(perBlock: number, rounds: number): Promise<BenchRow[]> {
  const keys = await generateKeyPair();
  const signer = createSigner(keys.privateKey);
  const total = perBlock * (rounds + 1) * MODES.length;
  // Each webhook a new event of a call of its own, signed beforehand: the router claims each once.
  const requests = Array.from({ length: total }, (_, i) => {
    const body = JSON.stringify({
      data: {
        record_type: "event",
        event_type: "call.answered",
        id: `ev-${i}`,
        occurred_at: new Date().toISOString(),
        payload: { call_control_id: `v3:call-${i}`, call_leg_id: `leg-${i}`, call_session_id: `s-${i}` },
      },
      meta: { attempt: 1, delivered_to: "https://example.com/webhooks" },
    });
    return { body, headers: signer.signSync(body) };
  });
  let next = 0;
  const webhooks = new Webhooks({ publicKey: keys.publicKey });
  // One router (one store) behind both handlers: the one made with telemetry off, and the one made traced.
  const router = webhooks.router().on("call.answered", () => {});
  const plain = router.fetchHandler();
  const offTraced = enableWebhooks();
  const traced = router.fetchHandler();
  // The same telemetry the traced handler was made with, put in its slot (where the router finds it) and taken out.
  const slot = globalThis as Record<symbol, unknown>;
  const SLOT = Symbol.for("@telnyx-voice/webhooks.telemetry");
  const installed = slot[SLOT];
  offTraced();
  const enable = () => {
    slot[SLOT] = installed;
    return () => {
      delete slot[SLOT];
    };
  };
  const { t, ratio } = await sideBySide(rounds, enable, async (mode) => {
    const handle = mode === "off" ? plain : traced;
    return cpuPer(perBlock, async () => {
      for (let i = 0; i < perBlock; i++) {
        const { body, headers } = requests[next++ % total] as (typeof requests)[number];
        const res = await handle(new Request("http://127.0.0.1/webhooks", { method: "POST", body, headers }));
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      }
    });
  });
  const what = `telemetry, webhook through the router's fetch handler (${perBlock} x ${rounds})`;
  return overheadRows(what, "webhook", "1 span, 2 metric points a webhook", t, ratio);
}

async function dialWorkRow(dialCpuMs: number): Promise<BenchRow> {
  const off = enableClient();
  const installed = (globalThis as Record<symbol, unknown>)[Symbol.for("@telnyx-voice/client.telemetry")] as {
    start(plan: object, baseURL: string, params: object): unknown;
  };
  const plan = { operation: "dial", method: "POST", schemaPath: "/calls", commandId: "4b1f6a0e-cmd" };
  const count = 200_000;
  let made = 0;
  const samples: number[] = [];
  for (let round = 0; round < 15; round++) {
    samples.push(
      await cpuPer(count, async () => {
        for (let i = 0; i < count; i++) if (installed.start(plan, "http://127.0.0.1/v2", {})) made++;
      }),
    );
  }
  off();
  if (made > 0) throw new Error("telemetry made something with no SDK registered");
  const work = median(samples);
  return {
    metric: "telemetry, its own work per dial with no SDK registered, against a dial's CPU time (telemetry off)",
    ours: `${(work * 1e6).toFixed(0)} ns CPU`,
    baseline: `a dial: ${(dialCpuMs * 1000).toFixed(0)} us CPU`,
    ratio: (dialCpuMs + work) / dialCpuMs,
    better: "lower",
    target: "<= 1.02x",
    pass: (dialCpuMs + work) / dialCpuMs <= 1.02,
  };
}

export async function run(): Promise<BenchRow[]> {
  const dials = await dialRows(100, 40);
  return [...dials.rows, await dialWorkRow(dials.offCpuMs), ...(await webhookRows(200, 40))];
}

if (import.meta.url === `file://${process.argv[1]}`) printTable("telemetry", await run());
