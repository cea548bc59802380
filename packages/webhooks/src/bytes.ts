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
