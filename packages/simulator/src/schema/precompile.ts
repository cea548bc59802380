// With precompileValidators (the CLI sets it), compiles every request validator on a background thread, so
// the first command of each kind does not pay for its compile on the event loop (the dial body's takes
// 0.2-0.45 s cold, and every request behind it waits). The thread runs ajv and returns standalone code;
// loading that here takes ~15 ms for the largest. Compiling on the main thread in idle moments was tried
// first: a compile cannot be interrupted, so a command arriving just after one started waited for it.
// A command that arrives before its validator is back still compiles it itself. Off by default: measured in
// the demo (commands right after start, 2 cores), the thread's CPU made the first commands slower.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { ajvOptions, anchorRefs, HINT_FORMATS, SLICE_ID, URL_FORMAT } from "./ajv.js";
import { HTTP_METHODS, sliceDocument } from "./slice.js";
import { adoptValidator, type CompileJob, compilingOnThread, type OperationRoute, pendingJobs } from "./validators.js";

// What call flows send first and most; the other operations follow in the slice's order.
const FIRST = ["DialCall", "CreateCallControlApplication", "AnswerCall", "SpeakCall", "HangupCall", "GatherUsingSpeak"];
/** How standalone code names our formats module (answered by loaderRequire below). */
const FORMATS_ID = "telnyx-voice-simulator:formats";

const requireHere = createRequire(import.meta.url);

// Plain CommonJS run by the thread (eval), so it works the same from src (tests) and from dist (ESM or CJS).
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { Ajv2020 } = require(workerData.paths.ajv);
const standaloneCode = require(workerData.paths.standalone).default;
const { _ } = require(workerData.paths.codegen);
const addFormats = require(workerData.paths.formats).default;
const slice = JSON.parse(workerData.slice);
const ajvs = {};
const ajvFor = (coerce) => {
  if (ajvs[coerce]) return ajvs[coerce];
  const options = workerData.options[coerce ? "coerce" : "plain"];
  const ajv = new Ajv2020({ ...options, code: { ...options.code, source: true, formats: _\`require(\${workerData.formatsId})\` } });
  addFormats(ajv);
  ajv.addFormat("url", new RegExp(workerData.url.source, workerData.url.flags));
  for (const hint of workerData.hints) ajv.addFormat(hint, true);
  ajv.addSchema({ ...slice, $id: workerData.sliceId });
  return (ajvs[coerce] = ajv);
};
const queue = workerData.jobs;
const next = () => {
  const job = queue.shift();
  if (!job) return;
  // Said first, so a request that needs this validator now waits for it instead of compiling it twice.
  parentPort.postMessage({ started: job.key });
  try {
    const ajv = ajvFor(job.coerce);
    parentPort.postMessage({ key: job.key, source: standaloneCode(ajv, ajv.compile(job.schema)) });
  } catch (error) {
    parentPort.postMessage({ key: job.key, error: String(error && error.message) });
  }
  setImmediate(next);
};
next();
`;

// Standalone code requires ajv's runtime helpers and our formats; both resolved from this package.
let formats: Record<string, unknown> | undefined;
function loaderRequire(id: string): unknown {
  if (id !== FORMATS_ID) return requireHere(id);
  formats ??= {
    ...(requireHere("ajv-formats/dist/formats") as { fullFormats: Record<string, unknown> }).fullFormats,
    url: URL_FORMAT,
    ...Object.fromEntries(HINT_FORMATS.map((hint) => [hint, true])),
  };
  return formats;
}

function load(source: string): ValidateFunction {
  const module: { exports: { default?: ValidateFunction } } = { exports: {} };
  new Function("require", "module", "exports", source)(loaderRequire, module, module.exports);
  if (typeof module.exports.default !== "function") throw new Error("standalone validator code exported no function");
  return module.exports.default;
}

function jobsInOrder(): CompileJob[] {
  const routes: Array<OperationRoute & { operationId: string }> = [];
  for (const [template, item] of Object.entries(sliceDocument.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) routes.push({ method, template, operation, operationId: operation.operationId });
    }
  }
  const rank = (id: string) => (FIRST.includes(id) ? FIRST.indexOf(id) : FIRST.length);
  routes.sort((a, b) => rank(a.operationId) - rank(b.operationId));
  return pendingJobs(routes).map((job) => ({ ...job, schema: anchorRefs(job.schema) as object }));
}

export interface WarmUpResult {
  /** Validators the thread compiled and this thread adopted. */
  adopted: number;
  /** Jobs the thread could not compile (left to first use), with ajv's message. */
  failed: Array<{ key: string; error: string }>;
}

let running: Promise<WarmUpResult> | undefined;

/** Starts the background compile once per process; later calls get the same promise. Never rejects. */
export function warmUpValidators(): Promise<WarmUpResult> {
  running ??= new Promise((resolve) => {
    const jobs = jobsInOrder();
    const result: WarmUpResult = { adopted: 0, failed: [] };
    if (jobs.length === 0) return resolve(result);
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        jobs,
        slice: JSON.stringify(sliceDocument),
        sliceId: SLICE_ID,
        options: { plain: ajvOptions(false), coerce: ajvOptions(true) },
        url: { source: URL_FORMAT.source, flags: URL_FORMAT.flags },
        hints: HINT_FORMATS,
        formatsId: FORMATS_ID,
        paths: {
          ajv: requireHere.resolve("ajv/dist/2020"),
          standalone: requireHere.resolve("ajv/dist/standalone"),
          codegen: requireHere.resolve("ajv/dist/compile/codegen"),
          formats: requireHere.resolve("ajv-formats"),
        },
      },
    });
    // The thread must never keep a process alive that is otherwise done.
    worker.unref();
    // Whatever ends the thread, nobody keeps waiting (finish): what it did not send back is compiled on first use.
    let received = 0;
    /** Releases the requests waiting for the validator the thread is compiling now. */
    let release = () => {};
    const finish = () => {
      release();
      worker.terminate().catch(() => undefined);
      resolve(result);
    };
    worker.on("message", (message: { started?: string; key?: string; source?: string; error?: string }) => {
      if (message.started !== undefined) {
        release = compilingOnThread(message.started);
        return;
      }
      const key = message.key ?? "";
      try {
        if (message.source !== undefined) {
          if (adoptValidator(key, () => load(message.source!))) result.adopted++;
        } else if (message.error !== undefined) {
          result.failed.push({ key, error: message.error });
        }
      } catch (error) {
        result.failed.push({ key, error: error instanceof Error ? error.message : String(error) });
      }
      release();
      if (++received === jobs.length) finish();
    });
    worker.on("error", (error) => {
      result.failed.push({ key: "(thread)", error: error.message });
      finish();
    });
    worker.on("exit", finish);
  });
  return running;
}
