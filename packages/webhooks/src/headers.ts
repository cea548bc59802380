/** Anything with a case-insensitive `get`, such as the Fetch API's `Headers`. */
export interface HeaderGetter {
  get(name: string): string | null | undefined;
}

/** Node's `IncomingHttpHeaders` or any plain record; names are matched case-insensitively. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | number | undefined | null>>;

/** The headers of a webhook request, in whatever shape the framework gives them. */
export type WebhookHeaders = HeaderGetter | HeaderRecord;

/** The value of header `name` (lower case), trimmed; the first value when it was sent more than once. */
export function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  if (headers === null || typeof headers !== "object") return undefined;
  let value: unknown;
  if (typeof (headers as HeaderGetter).get === "function") {
    value = (headers as HeaderGetter).get(name);
  } else {
    const record = headers as HeaderRecord;
    // Node lower-cases incoming header names, so the exact lookup is the usual hit.
    value = record[name];
    if (value === undefined) {
      for (const key in record) {
        if (key.length === name.length && key.toLowerCase() === name) {
          value = record[key];
          break;
        }
      }
    }
  }
  if (Array.isArray(value)) value = value[0];
  if (typeof value === "number") value = String(value);
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}
