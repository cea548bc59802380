// Hovers that explain: an editor hovering an action (client and flows) shows the spec's summary and a link to its
// reference page, and for flows what completes it, not a truncated inline type. Asked of TypeScript's language
// service, as an editor asks it, over the packages' published .d.ts.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, test } from "vitest";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "typecheck", "hovers");
const file = join(dir, "actions.ts");
const text = readFileSync(file, "utf8");

function hover(expression: string): string {
  const service = ts.createLanguageService({
    getScriptFileNames: () => [file],
    getScriptVersion: () => "1",
    getScriptSnapshot: (name) =>
      ts.sys.fileExists(name) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(name) ?? "") : undefined,
    getCurrentDirectory: () => dir,
    getCompilationSettings: () => ({
      strict: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
    }),
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
  // The member's name at the end of `expression`.
  const at = text.indexOf(expression) + expression.lastIndexOf(".") + 1;
  const info = service.getQuickInfoAtPosition(file, at);
  const docs = ts.displayPartsToString(info?.documentation);
  const tags = (info?.tags ?? []).map((tag) => `@${tag.name} ${ts.displayPartsToString(tag.text)}`).join("\n");
  return `${docs}\n${tags}`;
}

test("the client's speak: the spec's summary and its reference page", () => {
  const shown = hover("telnyx.calls.actions.speak");
  expect(shown).toContain("Speak text");
  expect(shown).toContain("POST /calls/{call_control_id}/actions/speak");
  expect(shown).toContain("@see https://developers.telnyx.com/api-reference/call-commands/speak-text");
});

test("a flow's speak and recordStop: the summary, what completes them, their reference pages", () => {
  const speak = hover("call.speak");
  expect(speak).toContain("Speak text");
  expect(speak).toContain("Resolves with the payload of `call.speak.ended`");
  expect(speak).toContain("`.stop()` ends it early (`playbackStop`)");
  expect(speak).toContain("@see https://developers.telnyx.com/api-reference/call-commands/speak-text");
  const recordStop = hover("call.recordStop");
  expect(recordStop).toContain("Rejects with ActionFailedError on `call.recording.error`");
});
