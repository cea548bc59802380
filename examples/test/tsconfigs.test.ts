// The quick starts, a CommonJS consumer of every entry point and options filled from the environment, type-
// checked as users' projects are set up: strict + exactOptionalPropertyTypes + noUncheckedIndexedAccess, under
// bundler, node16 and node10 resolution and as CommonJS, without skipLibCheck (so our .d.ts files are checked).
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, test } from "vitest";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "typecheck");
const configs = readdirSync(dir).filter((f) => /^tsconfig\.\w+\.json$/.test(f) && f !== "tsconfig.base.json");

test("every resolution mode is covered", () => {
  expect(configs.sort()).toEqual([
    "tsconfig.bundler.json",
    "tsconfig.commonjs.json",
    "tsconfig.node10.json",
    "tsconfig.node16.json",
  ]);
});

test.each(configs)("%s compiles without errors", (file) => {
  const { config, error } = ts.readConfigFile(join(dir, file), ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
  expect(parsed.fileNames.length).toBeGreaterThan(1);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(d.file.fileName.lastIndexOf("examples/"))}: ` : "";
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  expect(diagnostics).toEqual([]);
}, 60_000);
