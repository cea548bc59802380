// The API key: checked once at construction (without ever echoing it), and scrubbed from anything the
// client reports, whole or in pieces, since a server or proxy may echo part of an Authorization header.
import { scrubbedCause } from "./errors.js";

/**
 * Pieces of the key at least this long are scrubbed too. Long enough that ordinary text never matches a
 * piece of a random key by chance; short enough that an echoed fragment reveals little of it.
 */
const MIN_PIECE = 8;
const REDACTED = "[redacted]";

/**
 * Why `key` cannot be sent as `Bearer <key>`, or undefined when it can. Says what kind of character is
 * wrong and where, never the key: the message ends up in logs.
 */
export function apiKeyProblem(key: string): string | undefined {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) continue;
    const kind =
      c === 0x0d || c === 0x0a
        ? "a line break (CR or LF)"
        : c === 0
          ? "a NUL character"
          : c === 0x20 || c === 0x09
            ? "a space or tab"
            : c > 0x7f
              ? "a non-ASCII character"
              : "a control character";
    return `contains ${kind} at position ${i + 1} of ${key.length}, which cannot be sent in an HTTP header. Check for a stray newline or quote where the key was read from (a file, an .env line)`;
  }
  return undefined;
}

/**
 * Removes the key, and any piece of it of MIN_PIECE characters or more, from text the client reports. A key
 * shorter than that (`"k"` in a test) is no real secret, and its letters are everywhere (`speak`, `socket`):
 * only the key standing alone as a token (`Bearer k`) is scrubbed.
 */
export class Redactor {
  readonly #key: string;
  readonly #pieces: readonly string[];
  /** For a short key: the key as a whole token, not inside a word. */
  readonly #token: RegExp | undefined;

  constructor(key: string) {
    this.#key = key;
    const pieces = new Set<string>();
    if (key.length >= MIN_PIECE) {
      for (let i = 0; i + MIN_PIECE <= key.length; i++) pieces.add(key.slice(i, i + MIN_PIECE));
    }
    this.#pieces = [...pieces];
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    this.#token = key && key.length < MIN_PIECE ? new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, "g") : undefined;
  }

  /** Whether `text` holds the key or a piece of it. */
  leaks(text: string): boolean {
    if (!this.#key) return false;
    if (this.#token) {
      this.#token.lastIndex = 0;
      return this.#token.test(text);
    }
    for (const piece of this.#pieces) if (text.includes(piece)) return true;
    return false;
  }

  text(text: string): string {
    if (!this.leaks(text)) return text;
    if (this.#token) return text.replace(this.#token, REDACTED);
    // Mark every character covered by some piece, then replace each marked run once: overlapping
    // pieces (the whole key is a run of them) become a single "[redacted]".
    const marked = new Uint8Array(text.length);
    const size = (this.#pieces[0] as string).length;
    for (const piece of this.#pieces) {
      for (let at = text.indexOf(piece); at !== -1; at = text.indexOf(piece, at + 1)) marked.fill(1, at, at + size);
    }
    let out = "";
    for (let i = 0; i < text.length; ) {
      if (!marked[i]) {
        out += text[i++];
        continue;
      }
      while (marked[i]) i++;
      out += REDACTED;
    }
    return out;
  }

  /** A JSON-like value with every string in it scrubbed; the value itself when nothing leaks. */
  deep<T>(value: T): T {
    if (value === null || value === undefined) return value;
    if (typeof value === "string") return this.text(value) as T;
    if (typeof value !== "object") return value;
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return value;
    }
    return json !== undefined && this.leaks(json) ? (JSON.parse(this.text(json)) as T) : value;
  }

  /** The headers, or a copy with every value that leaks scrubbed. */
  headers(headers: Headers): Headers {
    let leaked = false;
    headers.forEach((value) => {
      if (this.leaks(value)) leaked = true;
    });
    if (!leaked) return headers;
    const safe = new Headers();
    headers.forEach((value, name) => {
      safe.append(name, this.text(value));
    });
    return safe;
  }

  /**
   * An error kept as a `cause`: itself when neither its message nor its stack leaks, else a plain Error
   * carrying the scrubbed text (the original is dropped, since its own properties may hold the key too).
   */
  cause(error: unknown): unknown {
    if (!this.#key || error === null || error === undefined) return error;
    const text = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
    if (!this.leaks(text)) return error;
    const message = this.text(error instanceof Error ? error.message : String(error));
    const stack = this.text(error instanceof Error ? (error.stack ?? message) : message);
    return scrubbedCause(error instanceof Error ? error.name : "Error", message, stack);
  }
}
