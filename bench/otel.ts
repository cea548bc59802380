// What telemetry costs, side by side in one run: a dial (against a loopback server that answers at once) and a
// webhook through the router's fetch handler (verify, claim, turn, handler), each with telemetry off (the
// default: the core reads one empty global slot per request), enabled with no OpenTelemetry SDK registered (the
// API's no-op tracer and meter), and enabled with an SDK registered (tracer provider with a batch processor and an
// exporter that drops, AsyncLocalStorage context manager, meter provider). Blocks of each case, in every order,
// many rounds; ratios are medians of the per-round ratios. Measured in this process's CPU time (user + system),
// not wall time: on a shared machine a process waiting for a core is the neighbours' noise, not our cost; the
// dial's server is a process of its own, so a dial's figure is the client's side only (stricter than wall time).
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

async function dialRows(dialsPerBlock: number, rounds: number): Promise<BenchRow[]> {
  const { url, child } = await startServer();
  try {
    const telnyx = new Telnyx({ apiKey: "KEY_BENCH_0000", baseURL: url });
    const { t, ratio } = await sideBySide(rounds, enableClient, () =>
      cpuPer(dialsPerBlock, async () => {
        await timeDials(() => telnyx.calls.dial(DIAL), dialsPerBlock);
      }),
    );
    const us = (v: number) => `${(v * 1000).toFixed(0)} us CPU/dial`;
    const what = `telemetry, dial (${dialsPerBlock} x ${rounds} sequential dials)`;
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
        metric: `${what}: an SDK registered vs off (2 spans, 3 metric points a dial)`,
        ours: us(t.sdk),
        baseline: `off: ${us(t.off)}`,
        ratio: ratio("sdk", "off"),
        better: "lower",
      },
    ];
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
  offTraced();
  const { t, ratio } = await sideBySide(rounds, enableWebhooks, async (mode) => {
    const handle = mode === "off" ? plain : traced;
    return cpuPer(perBlock, async () => {
      for (let i = 0; i < perBlock; i++) {
        const { body, headers } = requests[next++ % total] as (typeof requests)[number];
        const res = await handle(new Request("http://127.0.0.1/webhooks", { method: "POST", body, headers }));
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      }
    });
  });
  const us = (v: number) => `${(v * 1000).toFixed(0)} us CPU/webhook`;
  const what = `telemetry, webhook through the router's fetch handler (${perBlock} x ${rounds})`;
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
      metric: `${what}: an SDK registered vs off (1 span, 2 metric points a webhook)`,
      ours: us(t.sdk),
      baseline: `off: ${us(t.off)}`,
      ratio: ratio("sdk", "off"),
      better: "lower",
    },
  ];
}

export async function run(): Promise<BenchRow[]> {
  return [...(await dialRows(100, 30)), ...(await webhookRows(200, 30))];
}

if (import.meta.url === `file://${process.argv[1]}`) printTable("telemetry", await run());
