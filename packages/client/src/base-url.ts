// The base URL every path is appended to: from the option, else TELNYX_BASE_URL, else the API's own.
// Checked once, at construction: a query or fragment would swallow every path appended to it, and
// credentials would be sent to the server and echoed in errors and logs.
import { baseURLError } from "./errors.js";

export const DEFAULT_BASE_URL = "https://api.telnyx.com/v2";
export const BASE_URL_ENV = "TELNYX_BASE_URL";

/**
 * The base URL to use, normalised to `origin + path` with no trailing slash. `fromEnv` is the
 * environment's value, used only when the option is absent; an empty one counts as unset.
 */
export function resolveBaseURL(option: unknown, fromEnv: string | undefined): string {
  if (option !== undefined) return checkBaseURL("baseURL", option);
  if (fromEnv !== undefined && fromEnv.trim() !== "") return checkBaseURL(BASE_URL_ENV, fromEnv.trim());
  return DEFAULT_BASE_URL;
}

function checkBaseURL(source: string, value: unknown): string {
  if (typeof value !== "string")
    throw baseURLError(
      source,
      `is ${value === null ? "null" : `a ${typeof value}`}`,
      "but must be a URL string like https://api.telnyx.com/v2.",
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not parseable: shown only when it cannot be hiding a password ("user:pw@host" without a scheme).
    const shown = value.includes("@") ? "(not shown: it contains '@')" : JSON.stringify(value);
    throw baseURLError(source, shown, "is not an absolute URL: give one like https://api.telnyx.com/v2.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    // `user:pw@host` without a scheme parses as the scheme "user:", so nothing more is shown than that.
    const shown = value.includes("@") ? "(not shown: it contains '@')" : JSON.stringify(value);
    throw baseURLError(source, shown, `has the scheme "${url.protocol}": use https: (or http: for a local simulator).`);
  }
  // Shown without what may be secret: no user name, password, query or fragment.
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.username || url.password) {
    throw baseURLError(
      source,
      shown,
      "has a user name or password in it (user:password@): remove them; the client authenticates with the API key, and credentials in the URL would be sent to the server and shown in errors.",
    );
  }
  // `search`/`hash` are "" for a bare "?" or "#" too, so the raw text is checked as well.
  if (url.search || value.includes("?")) {
    throw baseURLError(
      source,
      shown,
      "has a query string (?...): every path would be appended after it. Remove it; send query parameters per request.",
    );
  }
  if (url.hash || value.includes("#")) {
    throw baseURLError(
      source,
      shown,
      "has a fragment (#...): every path would be appended after it and never sent. Remove it.",
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}
