// What an editor hover says of an operation: the spec's summary, and the page of Telnyx's API reference for it.
// The reference's addresses are the operation's tag and summary, slugged: "Call Commands" / "Answer call" is
// https://developers.telnyx.com/api-reference/call-commands/answer-call (seen there, 2026-12).

interface Operation {
  summary?: unknown;
  tags?: unknown;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** The summary, safe inside a doc comment. */
export function summaryOf(operation: Operation | undefined): string | undefined {
  return typeof operation?.summary === "string" ? operation.summary.trim().replace(/\*\//g, "*\\/") : undefined;
}

export function referenceUrl(operation: Operation | undefined): string | undefined {
  const tag = Array.isArray(operation?.tags) ? operation.tags[0] : undefined;
  const summary = summaryOf(operation);
  if (typeof tag !== "string" || !summary) return undefined;
  return `https://developers.telnyx.com/api-reference/${slug(tag)}/${slug(summary)}`;
}
