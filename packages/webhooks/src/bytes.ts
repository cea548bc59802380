const encoder = new TextEncoder();

/** The bytes Telnyx signs: `${timestamp}|${rawBody}`, built without copying a string body twice. */
export function signedMessage(timestamp: string, body: string | Uint8Array): Uint8Array {
  if (typeof body === "string") return encoder.encode(`${timestamp}|${body}`);
  const prefix = encoder.encode(`${timestamp}|`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix, 0);
  message.set(body, prefix.length);
  return message;
}

/**
 * The UTF-8 length of `text` (what TextEncoder produces: a lone surrogate becomes the 3-byte U+FFFD),
 * counted without encoding it. Stops counting once past `limit`, so an oversized body costs no more than that.
 */
export function utf8Length(text: string, limit = Number.POSITIVE_INFINITY): number {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point of 4 bytes
      i++;
    } else bytes += 3;
  }
  return bytes;
}
