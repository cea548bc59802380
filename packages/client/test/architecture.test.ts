// A seam a review would otherwise have to re-check by hand: client errors are built in one module.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const src = join(import.meta.dirname, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

test("every error object is built in errors.ts (classes, message text and factory live together)", () => {
  const outside = sources(src)
    .filter((file) => !file.endsWith(`${join("src", "errors.ts")}`))
    .flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .map((line, i) => ({ file, line: i + 1, text: line }))
        .filter(({ text }) => /\bnew [A-Z]\w*Error\b|\bnew Error\b/.test(text)),
    )
    .map(({ file, line, text }) => `${file.slice(src.length + 1)}:${line}: ${text.trim()}`);
  expect(outside).toEqual([]);
});
