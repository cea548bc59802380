// The README's quick starts are the files in examples/quickstarts (type-checked with this package):
// each block marked `<!-- file: path -->` must be that file, byte for byte.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/<!-- file: (\S+) -->\n```ts\n([\s\S]*?)```\n/g)];

test("the README embeds every quick start", () => {
  expect(blocks.map((m) => m[1])).toEqual(
    expect.arrayContaining([
      "examples/quickstarts/dial-and-control.ts",
      "examples/quickstarts/receive-node-http.ts",
      "examples/quickstarts/receive-express.ts",
      "examples/quickstarts/receive-hono.ts",
      "examples/quickstarts/next-route.ts",
      "examples/quickstarts/iterate-active-calls.ts",
      "examples/quickstarts/handle-errors.ts",
      "examples/quickstarts/test-with-simulator.ts",
      "examples/quickstarts/receive-many-instances.ts",
    ]),
  );
});

test.each(blocks.map((m) => [m[1] as string, m[2] as string]))("README block %s matches the file", (file, code) => {
  expect(code).toBe(readFileSync(join(root, file), "utf8"));
});

test("a heading that gives a file's line count gives the right one", () => {
  const counted = [...readme.matchAll(/\((\d+) lines\)\n(?:(?!\n#)[\s\S])*?<!-- file: (\S+) -->/g)];
  expect(counted.map((m) => m[2])).toEqual([
    "examples/demo/ivr-flow.ts",
    "examples/demo/ivr-router.ts",
    "examples/patterns/voicemail.ts",
    "examples/patterns/campaign.ts",
    "examples/patterns/warm-transfer.ts",
    "examples/patterns/reminder.ts",
    "examples/patterns/voice-bot.ts",
  ]);
  for (const [, count, file] of counted) {
    expect(readFileSync(join(root, file as string), "utf8").split("\n").length - 1, file).toBe(Number(count));
  }
});
