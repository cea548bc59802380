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

export function commandSent(name: string, callControlId?: string, detail = ""): void {
  stats.commands++;
  console.log(`${since()}  -> ${name.padEnd(32)} ${nameOf(callControlId).padEnd(8)} ${detail}`.trimEnd());
}

export function eventReceived(eventType: string, callControlId: string | undefined, detail = ""): void {
  stats.events++;
  console.log(`${since()}  <- ${eventType.padEnd(32)} ${nameOf(callControlId).padEnd(8)} verified ${detail}`.trimEnd());
}
