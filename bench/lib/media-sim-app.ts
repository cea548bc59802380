// The app side of bench/media-sim.ts, in a process of its own so that the bench's CPU figure is the simulator's
// alone: webhooks answered 200 on POST, media streams taken by @telnyx-voice/media on upgrade. Records, per call,
// when each loud 20 ms chunk (the bench's probes) arrived, on the machine's clock shared with the bench, and the
// CPU this process used since the last reset.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { MediaStreams } from "@telnyx-voice/media";

const media = new MediaStreams({ authToken: false, onError: (error) => process.stderr.write(`${error.message}\n`) });
let frames = 0;
let cpu = process.cpuUsage();
const arrivals = new Map<string, number[]>();

media.handle(async (stream) => {
  const list: number[] = [];
  arrivals.set(stream.callControlId, list);
  for await (const chunk of stream.audio()) {
    frames++;
    if (chunk.kind !== "pcm") continue;
    let sum = 0;
    for (const s of chunk.samples) sum += s * s;
    if (Math.sqrt(sum / chunk.samples.length) > 2000) list.push(performance.timeOrigin + performance.now());
  }
});

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200).end());
}).on("upgrade", media.nodeUpgrade());
server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));

process.on("message", (message) => {
  if (message === "reset") {
    frames = 0;
    cpu = process.cpuUsage();
    for (const list of arrivals.values()) list.length = 0;
    process.send?.({ reset: true });
  } else if (message === "report") {
    const used = process.cpuUsage(cpu);
    process.send?.({ frames, cpuMs: (used.user + used.system) / 1000, arrivals: Object.fromEntries(arrivals) });
  } else if (message === "exit") {
    media.close();
    server.close();
    process.exit(0);
  }
});
