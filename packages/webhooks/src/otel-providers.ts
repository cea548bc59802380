// The tracer and meter an app registered with @opentelemetry/api, and what is made from them: made again when the
// app registers other providers (the metrics API, unlike tracing, hands out no proxy), and undefined while
// neither an SDK's tracer provider nor its meter provider is registered, so that with no SDK nothing is made.
import { createNoopMeter, type Meter, metrics, ProxyTracerProvider, type Tracer, trace } from "@opentelemetry/api";

export function registered<T>(scope: string, make: (tracer: Tracer, meter: Meter) => T): () => T | undefined {
  let made: { tracing: unknown; metering: unknown; metered: boolean; tools: T } | undefined;
  return () => {
    const tracing = trace.getTracerProvider();
    const metering = metrics.getMeterProvider();
    if (made?.tracing !== tracing || made.metering !== metering) {
      const meter = metering.getMeter(scope);
      made = { tracing, metering, metered: meter !== createNoopMeter(), tools: make(tracing.getTracer(scope), meter) };
    }
    // The API's proxy has a delegate once a tracer provider is registered (another copy's proxy: assume it has).
    const traced = !(tracing instanceof ProxyTracerProvider) || tracing.getDelegateTracer(scope) !== undefined;
    return made.metered || traced ? made.tools : undefined;
  };
}
