// Prints the flow as it happens: time since start, then "->" for a command the app sent and "<-" for a
// webhook it received (only verified events ever reach the app, hence "verified").

const start = performance.now();
const since = () => `+${((performance.now() - start) / 1000).toFixed(3)}s`.padStart(9);

/** Short names for call_control_ids, so the timeline reads "caller" and "agent" instead of "v3:8fZ...". */
const names = new Map<string, string>();
export const nameCall = (callControlId: string, name: string) => names.set(callControlId, name);
const nameOf = (callControlId: string | undefined) =>
  (callControlId && names.get(callControlId)) ?? callControlId?.slice(0, 12) ?? "";

export const stats = { commands: 0, events: 0 };

export function note(text: string): void {
  console.log(`${since()}  ${text}`);
}

/** A request the client sends, named as the client names it: `calls.actions.speak`, `calls.dial`, ... */
export function commandSent(method: string, url: string, body: unknown): void {
  stats.commands++;
  const path = new URL(url).pathname.replace(/^\/v2/, "");
  const fields = typeof body === "string" ? (JSON.parse(body) as Record<string, unknown>) : {};
  const action = /^\/calls\/([^/]+)\/actions\/(\w+)$/.exec(path);
  const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  const [name, callControlId, detail] = action
    ? [`calls.actions.${camel(action[2] ?? "")}`, decodeURIComponent(action[1] ?? ""), describe(fields)]
    : path === "/calls"
      ? ["calls.dial", undefined, String(fields.to)]
      : path === "/call_control_applications" && method === "POST"
        ? ["callControlApplications.create", undefined, `webhook_event_url=${String(fields.webhook_event_url)}`]
        : [`${method} ${path}`, undefined, ""];
  console.log(`${since()}  -> ${name.padEnd(32)} ${nameOf(callControlId).padEnd(8)} ${detail}`.trimEnd());
}

/** What a command says or whom it connects: the spoken text, or the other leg of a bridge. */
function describe(fields: Record<string, unknown>): string {
  if (typeof fields.payload === "string") return JSON.stringify(fields.payload);
  if (typeof fields.call_control_id === "string") return `<-> ${nameOf(fields.call_control_id)}`;
  return "";
}

export function eventReceived(eventType: string, callControlId: string | undefined, detail = ""): void {
  stats.events++;
  console.log(`${since()}  <- ${eventType.padEnd(32)} ${nameOf(callControlId).padEnd(8)} verified ${detail}`.trimEnd());
}
