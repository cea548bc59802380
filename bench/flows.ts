// Flows against a hand-written router: the same calls (answer, N speaks, hangup) driven by a flow of
// @telnyx-voice/flows and by webhook handlers on the webhooks package's router, on one simulator in this process.
// Time per awaited command: from sending a command to handling the event that completes it, both ways.
// Rounds alternate the two so the machine's noise falls on both alike.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Telnyx } from "@telnyx-voice/client";
import { CallFlows } from "@telnyx-voice/flows";
import { startSimulator } from "@telnyx-voice/simulator";
import { Webhooks } from "@telnyx-voice/webhooks";
import { median } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

const CALLS_PER_ROUND = 20;
const SPEAKS = 5;
const ROUNDS = 8;
/** answer + speaks + hangup, each awaited until its completing event arrives. */
const COMMANDS_PER_CALL = SPEAKS + 2;
const API_KEY = "KEY_bench";

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export async function run(): Promise<BenchRow[]> {
  const sim = await startSimulator({ apiKey: API_KEY, answerDelayMs: 1, mediaDurationMs: 1 });
  const receiver = createServer().listen(0, "127.0.0.1");
  await once(receiver, "listening");
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
  let current: Handler = (_req, res) => res.end();
  receiver.on("request", (req, res) => current(req, res));
  const telnyx = new Telnyx({ apiKey: API_KEY, baseURL: sim.url, maxRetries: 0 });
  const webhooks = new Webhooks({ publicKey: sim.publicKey });
  const callIn = () => sim.inboundCall({ from: "+13125550142", to: "+13125550100", connectionId: "bench", webhookUrl });

  let finished = 0;
  let allDone: () => void = () => {};

  // The flow: what an app writes with @telnyx-voice/flows.
  const flows = new CallFlows({ telnyx, webhooks });
  flows.incoming(async (call) => {
    await call.answer();
    for (let i = 0; i < SPEAKS; i++) await call.speak({ payload: `line ${i}`, voice: "female" });
    await call.hangup();
    if (++finished === CALLS_PER_ROUND) allDone();
  });
  const flowHandler = flows.nodeHandler();

  // The same calls as webhook handlers: which speak comes next travels in client_state.
  const { actions } = telnyx.calls;
  const count = (state: string | null | undefined) => (state ? Number(atob(state)) : 0);
  const routerHandler = webhooks
    .router()
    .on("call.initiated", async ({ data: { payload } }) => {
      if (payload.direction === "incoming") await actions.answer(payload.call_control_id ?? "", { client_state: btoa("0") });
    })
    .on(["call.answered", "call.speak.ended"], async ({ data: { payload } }) => {
      const id = payload.call_control_id ?? "";
      const spoken = count(payload.client_state);
      if (spoken < SPEAKS) await actions.speak(id, { payload: `line ${spoken}`, voice: "female", client_state: btoa(String(spoken + 1)) });
      else await actions.hangup(id);
    })
    .on("call.hangup", () => {
      if (++finished === CALLS_PER_ROUND) allDone();
    })
    .nodeHandler();

  async function round(handler: Handler): Promise<number> {
    current = handler;
    finished = 0;
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    const started = performance.now();
    for (let i = 0; i < CALLS_PER_ROUND; i++) callIn();
    await done;
    const elapsed = performance.now() - started;
    await sim.idle();
    return (elapsed * 1000) / (CALLS_PER_ROUND * COMMANDS_PER_CALL);
  }

  const samples = { flow: [] as number[], router: [] as number[] };
  await round(flowHandler); // warm-up: validators compile, connections open
  await round(routerHandler);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? (["router", "flow"] as const) : (["flow", "router"] as const);
    for (const name of order) samples[name].push(await round(name === "flow" ? flowHandler : routerHandler));
  }
  await sim.stop();
  receiver.close();
  receiver.closeAllConnections();

  const flow = median(samples.flow);
  const router = median(samples.router);
  return [
    {
      metric: `flows: time per awaited command (${CALLS_PER_ROUND} calls at once, answer + ${SPEAKS} speaks + hangup each)`,
      ours: `${flow.toFixed(0)} us/command`,
      baseline: `hand-written router: ${router.toFixed(0)} us/command`,
      ratio: flow / router,
      better: "lower",
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable("Flows", await run());
