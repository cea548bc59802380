// The published packages start at one version (flows and redis were 0.0.0 beside the others' 0.1.0); changesets
// move each from there.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

test("the published packages start at one version", () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "packages");
  const version = (name: string) =>
    (JSON.parse(readFileSync(join(root, name, "package.json"), "utf8")) as { version: string }).version;
  const published = ["types", "client", "webhooks", "redis", "flows", "simulator"];
  expect(new Set(published.map(version)).size).toBe(1);
});
