// A Redis URL carries its password (redis://user:secret@host). It never appears in our errors, logs or
// messages: URLs are shown with the password replaced, and errors from below are scrubbed of it.

/** The URL with its password (and a user's, if any) replaced by "***", or a placeholder when unparseable. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(a value that is not a URL; not shown, it may hold a password)";
  }
}

/** The secrets found in a URL: its password, raw and percent-decoded. */
export function secretsOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const { password } = new URL(url);
    if (!password) return [];
    const decoded = decodeURIComponent(password);
    return decoded === password ? [password] : [password, decoded];
  } catch {
    // Unparseable: the whole value may be a secret.
    return [url];
  }
}

/** `text` with every secret replaced by "***". */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("***");
  return out;
}
