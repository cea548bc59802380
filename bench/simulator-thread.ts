// Runs the simulator on its own worker thread, as it runs in its own process in real use (`pnpm simulator`),
// so the bench can compare it with the simulator sharing one event loop with the client and the receiver.
import { Worker } from "node:worker_threads";
import type { SimulatorOptions } from "@telnyx-voice/simulator";

export interface SimulatorThread {
  url: string;
  publicKey: string;
  /** Waits until every webhook is delivered or given up; resolves with the number given up. */
  idle(): Promise<{ failedDeliveries: number }>;
  stop(): Promise<void>;
}

// Plain JS (eval), importing the built simulator by absolute URL, so no TypeScript loader is needed there.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
import(workerData.entry).then(async ({ startSimulator }) => {
  const sim = await startSimulator(workerData.options);
  parentPort.on("message", async (command) => {
    if (command === "idle") {
      await sim.idle();
      parentPort.postMessage({ idle: { failedDeliveries: sim.deliveries.filter((d) => d.final && !d.ok).length } });
    } else if (command === "stop") {
      await sim.stop();
      parentPort.postMessage({ stopped: true });
      parentPort.close();
    }
  });
  parentPort.postMessage({ ready: { url: sim.url, publicKey: sim.publicKey } });
});
`;

type Reply = { ready?: { url: string; publicKey: string }; idle?: { failedDeliveries: number }; stopped?: boolean };

export async function startSimulatorThread(options: SimulatorOptions): Promise<SimulatorThread> {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: { entry: import.meta.resolve("@telnyx-voice/simulator"), options },
  });
  const next = <K extends keyof Reply>(key: K) =>
    new Promise<NonNullable<Reply[K]>>((resolve, reject) => {
      const onMessage = (reply: Reply) => {
        const value = reply[key];
        if (value === undefined) return;
        worker.off("message", onMessage);
        worker.off("error", reject);
        resolve(value as NonNullable<Reply[K]>);
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
    });
  const ready = await next("ready");
  return {
    ...ready,
    idle: () => {
      const reply = next("idle");
      worker.postMessage("idle");
      return reply;
    },
    stop: async () => {
      const reply = next("stopped");
      worker.postMessage("stop");
      await reply;
      await worker.terminate();
    },
  };
}
