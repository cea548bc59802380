// On a spec change, a changeset for the packages whose public types changed, with the API diff as its text.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { affectedPackages, type ApiDiff, formatDiff } from "./diff.ts";
import type { ApiSummary } from "./summary.ts";

export function writeChangeset(root: string, diff: ApiDiff, before: ApiSummary, after: ApiSummary): string {
  // Removing or changing what users compile against can break them: minor while we are 0.x.
  const breaking =
    diff.operationsRemoved.length +
      diff.webhooksRemoved.length +
      diff.schemasRemoved.length +
      diff.schemasChanged.length +
      diff.expectedWebhooksChanged.length >
    0;
  const additive = diff.operationsAdded.length + diff.webhooksAdded.length + diff.schemasAdded.length > 0;
  const bump = breaking || additive ? "minor" : "patch";
  const front = affectedPackages(diff, before, after)
    .map((name) => `"${name}": ${bump}`)
    .join("\n");
  const body = [
    `Regenerated from the Telnyx OpenAPI spec ${after.spec.origin} (sha256 ${after.spec.sha256.slice(0, 12)}),`,
    `previously ${before.spec.origin} (sha256 ${before.spec.sha256.slice(0, 12)}).`,
    "",
    "```",
    formatDiff(diff),
    "```",
  ].join("\n");
  const dir = join(root, ".changeset");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `regenerate-${after.spec.sha256.slice(0, 8)}.md`);
  writeFileSync(file, `---\n${front}\n---\n\n${body}\n`);
  return file;
}
