// An OpenTelemetry SDK registered as an app registers one (tracer provider, AsyncLocalStorage context manager,
// meter provider), with the SDK's in-memory exporters, so tests read back exactly what was recorded; then a
// package's telemetry enabled, as an app enables it. Shared by the client's, the webhooks' and flows' tests.
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

export interface DataPoint {
  attributes: Record<string, unknown>;
  /** A counter's sum, or a histogram's count of recordings. */
  value: number;
}

export interface TestOtel {
  spans(): ReadableSpan[];
  /** The points of one instrument, as they stand now (cumulative). */
  points(name: string): Promise<DataPoint[]>;
  /** Turns the telemetry off (the SDK stays registered). */
  disable(): void;
  close(): Promise<void>;
}

/** Registers the SDK, then calls `enable` (a package's `enableTelemetry`), which returns what turns it off. */
export function registerOtel(enable: () => () => void): TestOtel {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exported only when asked (forceFlush), never on a timer during a test.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  trace.setGlobalTracerProvider(tracerProvider);
  context.setGlobalContextManager(contextManager);
  metrics.setGlobalMeterProvider(meterProvider);
  const disable = enable();
  return {
    spans: () => spans.getFinishedSpans(),
    async points(name) {
      exporter.reset();
      await reader.forceFlush();
      const found = exporter
        .getMetrics()
        .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
        .filter((m) => m.descriptor.name === name);
      return found.flatMap((m) =>
        m.dataPoints.map((p) => ({
          attributes: { ...p.attributes },
          value: typeof p.value === "number" ? p.value : (p.value as { count: number }).count,
        })),
      );
    },
    disable,
    async close() {
      disable();
      trace.disable();
      context.disable();
      metrics.disable();
      contextManager.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** The value of a point whose attributes include `attributes`, or 0 when there is none. */
export function sumOf(points: DataPoint[], attributes: Record<string, unknown>): number {
  const found = points.filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
  return found.reduce((sum, p) => sum + p.value, 0);
}
