// The API diff between two slice summaries: what a maintainer reads after regenerating, and what
// goes into the changeset.
import type { ApiSummary } from "./summary.ts";

export interface SchemaChange {
  name: string;
  added: string[];
  removed: string[];
  changed: string[];
}

export interface ApiDiff {
  operationsAdded: string[];
  operationsRemoved: string[];
  operationsChanged: string[];
  webhooksAdded: string[];
  webhooksRemoved: string[];
  webhooksChanged: string[];
  schemasAdded: string[];
  schemasRemoved: string[];
  schemasChanged: SchemaChange[];
  /** Actions whose "Expected Webhooks" changed (`speak: +call.speak.x, -call.speak.y`): what flows awaits. */
  expectedWebhooksChanged: string[];
}

function keyDiff(before: Record<string, string>, after: Record<string, string>) {
  const added = Object.keys(after).filter((k) => !(k in before));
  const removed = Object.keys(before).filter((k) => !(k in after));
  const changed = Object.keys(after).filter((k) => k in before && before[k] !== after[k]);
  return { added, removed, changed };
}

export function diffSummaries(before: ApiSummary, after: ApiSummary): ApiDiff {
  const ops = keyDiff(before.operations, after.operations);
  const hooks = keyDiff(before.webhooks, after.webhooks);
  const hash = (s: ApiSummary) => Object.fromEntries(Object.entries(s.schemas).map(([k, v]) => [k, v.hash]));
  const schemas = keyDiff(hash(before), hash(after));
  const schemasChanged: SchemaChange[] = [];
  for (const name of schemas.changed) {
    const fields = keyDiff(before.schemas[name]?.fields ?? {}, after.schemas[name]?.fields ?? {});
    // No field changed: the schema's own shape did (required list, enum values, composition).
    schemasChanged.push({ name, ...fields });
  }
  const expectedWebhooksChanged: string[] = [];
  const beforeExpected = before.expectedWebhooks ?? {};
  for (const [action, list] of Object.entries(after.expectedWebhooks ?? {})) {
    const was = beforeExpected[action];
    if (!was) continue;
    const added = list.filter((b) => !was.includes(b)).map((b) => `+${b}`);
    const removed = was.filter((b) => !list.includes(b)).map((b) => `-${b}`);
    if (added.length + removed.length) expectedWebhooksChanged.push(`${action}: ${[...added, ...removed].join(", ")}`);
  }
  return {
    operationsAdded: ops.added,
    operationsRemoved: ops.removed,
    operationsChanged: ops.changed,
    webhooksAdded: hooks.added,
    webhooksRemoved: hooks.removed,
    webhooksChanged: hooks.changed,
    schemasAdded: schemas.added,
    schemasRemoved: schemas.removed,
    schemasChanged,
    expectedWebhooksChanged,
  };
}

export function isEmpty(diff: ApiDiff): boolean {
  return Object.values(diff).every((list) => list.length === 0);
}

export function formatDiff(diff: ApiDiff): string {
  if (isEmpty(diff)) return "No API changes in the slice.";
  const lines: string[] = [];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`);
    for (const item of items) lines.push(`  - ${item}`);
  };
  section("Operations added", diff.operationsAdded);
  section("Operations removed", diff.operationsRemoved);
  section("Operations changed", diff.operationsChanged);
  section("Webhooks added", diff.webhooksAdded);
  section("Webhooks removed", diff.webhooksRemoved);
  section("Webhooks changed", diff.webhooksChanged);
  section("Expected webhooks of actions changed (what @telnyx-voice/flows awaits)", diff.expectedWebhooksChanged);
  section("Schemas added", diff.schemasAdded);
  section("Schemas removed", diff.schemasRemoved);
  section(
    "Schemas changed (+ field added, - removed, ~ changed)",
    diff.schemasChanged.map((c) =>
      [
        c.name,
        c.added.length ? `+${c.added.join(", +")}` : "",
        c.removed.length ? `-${c.removed.join(", -")}` : "",
        c.changed.length ? `~${c.changed.join(", ~")}` : "",
        c.added.length + c.removed.length + c.changed.length === 0 ? "(required fields, enum values or composition)" : "",
      ]
        .filter(Boolean)
        .join(" "),
    ),
  );
  return lines.join("\n");
}

/** Which published packages' public types a diff touches. */
export function affectedPackages(diff: ApiDiff, before: ApiSummary, after: ApiSummary): string[] {
  const usedBy = (name: string) => after.schemas[name]?.usedBy ?? before.schemas[name]?.usedBy ?? [];
  const schemaNames = [...diff.schemasAdded, ...diff.schemasRemoved, ...diff.schemasChanged.map((c) => c.name)];
  const paths =
    diff.operationsAdded.length + diff.operationsRemoved.length + diff.operationsChanged.length > 0 ||
    schemaNames.some((n) => usedBy(n).includes("paths"));
  const hooks =
    diff.webhooksAdded.length + diff.webhooksRemoved.length + diff.webhooksChanged.length > 0 ||
    schemaNames.some((n) => usedBy(n).includes("webhooks"));
  const out = ["@telnyx-voice/types"];
  if (diff.expectedWebhooksChanged.length) out.push("@telnyx-voice/flows");
  if (paths) out.push("@telnyx-voice/client", "@telnyx-voice/simulator");
  if (hooks) out.push("@telnyx-voice/webhooks", "@telnyx-voice/simulator");
  return [...new Set(out)];
}
