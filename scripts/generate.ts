// `pnpm generate`: spec -> overlay -> Voice slice -> openapi-typescript -> packages/types/src/generated
// (plus the client's route tables and the simulator's JSON slice), then an API diff against the committed
// summary and, on a change, a changeset.
//   --spec PATH      generate from this file (else $TELNYX_OPENAPI_SPEC, else the pin in spec/pin.json)
//   --check          write nothing; exit 1 when the committed output differs from what would be generated
//   --pin            record --spec as the new pin (with --url and --date) so that --check follows it
//   --root DIR       the project to read spec/ from and write into (tests use a scratch copy)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import yaml from "js-yaml";
import { writeChangeset } from "./lib/changeset.ts";
import { printCallMethods } from "./lib/call-methods.ts";
import { printActionTable, printBodyFactsTable } from "./lib/client-tables.ts";
import { actionCompletions, CompletionError, type CompletionsConfig, printCompletions, webhookEventTypes } from "./lib/completions.ts";
import { diffSummaries, formatDiff, isEmpty } from "./lib/diff.ts";
import { printAliases, printTypes } from "./lib/emit.ts";
import { printExampleBodiesTest } from "./lib/examples.ts";
import { applyOverlay, type Overlay } from "./lib/overlay.ts";
import { MediaSpecError, type MediaStreamDoc, printMediaFrameSchemas, printMediaFrameTypes } from "./lib/media.ts";
import { type Doc, type SliceConfig, sliceSpec } from "./lib/slice.ts";
import { loadSpec, type Pin, readPin, SpecSourceError } from "./lib/spec-source.ts";
import { type ApiSummary, summarize } from "./lib/summary.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const started = performance.now();
const stage = (name: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(2)}s] ${name}`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      spec: { type: "string" },
      check: { type: "boolean", default: false },
      pin: { type: "boolean", default: false },
      url: { type: "string" },
      date: { type: "string" },
      root: { type: "string" },
    },
  });
  if (values.pin && (!values.spec || !values.url)) {
    throw new SpecSourceError("--pin needs --spec <file> and --url <where it is published, with its commit>");
  }
  const projectRoot = values.root ? resolve(values.root) : root;
  const typesDir = join(projectRoot, "packages", "types", "src", "generated");
  // The simulator validates requests and events against the same slice, as JSON Schema at run time.
  const simulatorDir = join(projectRoot, "packages", "simulator", "src", "generated");
  const clientDir = join(projectRoot, "packages", "client", "src", "generated");
  const typeTestsDir = join(projectRoot, "packages", "types", "test", "generated");
  const flowsDir = join(projectRoot, "packages", "flows", "src", "generated");
  // The media WebSocket's frames have a document of their own (not part of the REST spec): spec/media-stream.yaml.
  const mediaDir = join(projectRoot, "packages", "media", "src", "generated");

  stage("reading spec");
  const source = await loadSpec(projectRoot, values.spec);
  console.log(`  ${source.origin} (sha256 ${source.sha256})`);

  stage("parsing YAML");
  const doc = yaml.load(source.text) as Doc;

  stage("applying spec/overlay.yaml");
  const overlay = yaml.load(readFileSync(join(projectRoot, "spec", "overlay.yaml"), "utf8")) as Overlay;
  for (const target of applyOverlay(doc, overlay)) console.warn(`  overlay target matched nothing (fixed upstream?): ${target}`);

  stage("slicing (spec/slice.yaml)");
  const config = yaml.load(readFileSync(join(projectRoot, "spec", "slice.yaml"), "utf8")) as SliceConfig;
  const slice = sliceSpec(doc, config);
  // Not an error: a newer spec may drop a path, and the API diff below is how a maintainer learns of it.
  for (const pattern of slice.unmatched) console.warn(`  slice pattern matched nothing in this spec: ${pattern}`);
  const schemaCount = Object.keys(slice.doc.components?.schemas ?? {}).length;
  console.log(`  ${slice.operations.length} operations, ${slice.webhooks.length} webhooks, ${schemaCount} schemas`);

  stage("printing types (openapi-typescript)");
  const version = String((doc.info as { version?: unknown } | undefined)?.version ?? "");
  // Generated files name where the spec is published when it is (or is being made) the pin, else the file.
  const origin = source.pinned ? readPin(projectRoot).url : (values.url ?? relative(projectRoot, source.origin));
  const completionsConfig = yaml.load(readFileSync(join(projectRoot, "spec", "completions.yaml"), "utf8")) as CompletionsConfig;
  const completionTable = actionCompletions(slice, completionsConfig, webhookEventTypes(slice));
  const { expected } = completionTable;
  const summary = summarize(slice, { origin, sha256: source.sha256, version }, expected);
  stage("printing media frame types (spec/media-stream.yaml)");
  const mediaDoc = yaml.load(readFileSync(join(projectRoot, "spec", "media-stream.yaml"), "utf8")) as MediaStreamDoc;
  const files: Record<string, string> = {
    [join(typesDir, "voice.ts")]: await printTypes(slice, { origin, sha256: source.sha256 }),
    [join(typesDir, "aliases.ts")]: printAliases(slice),
    [join(typesDir, "api-summary.json")]: `${JSON.stringify(summary, null, 2)}\n`,
    [join(simulatorDir, "voice-slice.json")]: `${JSON.stringify(slice.doc)}\n`,
    [join(clientDir, "actions.ts")]: printActionTable(slice),
    [join(clientDir, "body-facts.ts")]: printBodyFactsTable(slice),
    [join(typeTestsDir, "request-examples.test-d.mts")]: printExampleBodiesTest(slice),
    [join(flowsDir, "completions.ts")]: printCompletions(completionTable),
    [join(flowsDir, "call-methods.ts")]: printCallMethods(slice, completionTable.completions),
    [join(mediaDir, "frames.ts")]: await printMediaFrameTypes(mediaDoc),
    [join(mediaDir, "frame-schemas.ts")]: printMediaFrameSchemas(mediaDoc),
  };

  if (values.check) {
    stage("comparing with the committed output");
    const stale = Object.entries(files).filter(([path, text]) => readOr(path, "") !== text);
    if (stale.length) {
      const names = stale.map(([path]) => relative(projectRoot, path)).join(", ");
      console.error(`generated output is stale: ${names}. Run \`pnpm generate\` and commit.`);
      return 1;
    }
    stage("up to date");
    return 0;
  }

  stage("API diff against the committed summary");
  const previousText = readOr(join(typesDir, "api-summary.json"), "");
  const previous = previousText ? (JSON.parse(previousText) as ApiSummary) : undefined;
  if (previous) {
    const diff = diffSummaries(previous, summary);
    console.log(formatDiff(diff));
    if (!isEmpty(diff)) {
      const file = writeChangeset(projectRoot, diff, previous, summary);
      console.log(`  wrote ${relative(projectRoot, file)}`);
    }
  } else {
    console.log("  no previous summary: first generation");
  }

  stage("writing generated files");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`  ${relative(projectRoot, path)}`);
  }

  if (values.pin) {
    const pin: Pin = {
      ...readPin(projectRoot),
      file: (values.spec as string).split(/[\\/]/).pop() as string,
      sha256: source.sha256,
      url: values.url as string,
      commit: /\/([0-9a-f]{40})\//.exec(values.url ?? "")?.[1] ?? "",
      date: values.date ?? new Date().toISOString().slice(0, 10),
    };
    writeFileSync(join(projectRoot, "spec", "pin.json"), `${JSON.stringify(pin, null, 2)}\n`);
    stage("spec/pin.json updated");
  }
  stage("done");
  return 0;
}

function readOr(path: string, fallback: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : fallback;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof SpecSourceError || error instanceof CompletionError || error instanceof MediaSpecError;
    console.error(known ? `error: ${(error as Error).message}` : error);
    process.exit(1);
  },
);
