// A webhook URL nobody listens at is said once (URL and reason) instead of the simulator quietly redelivering
// into the void: the README's quick start sat 8 s with nothing said when no receiver was running.

/** Network errors that mean "nothing there", as opposed to a receiver that answered or was slow. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** Bounded memory: past this many distinct URLs, the oldest are forgotten (and may be reported again). */
const REMEMBERED_URLS = 1000;

/** The URL as a log may show it: a password in it (`https://user:secret@host/`) is replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

export class UnreachableReporter {
  private readonly reported = new Set<string>();

  constructor(private readonly warn: (message: string) => void) {}

  /** Reports `url` once if `error` says nothing is listening there. */
  failed(url: string, error: unknown, retriesLeft: number): void {
    const code = (error as { code?: string } | undefined)?.code;
    if (!code || !UNREACHABLE.has(code) || this.reported.has(url)) return;
    if (this.reported.size >= REMEMBERED_URLS) this.reported.delete(this.reported.values().next().value as string);
    this.reported.add(url);
    const message = error instanceof Error ? error.message : String(error);
    this.warn(
      `[telnyx-voice-simulator] webhook URL ${redactUrl(url)} is not reachable (${message}): is your receiver listening there? ` +
        `Events for it are retried ${retriesLeft} more time(s) and then given up; sim.deliveries has every attempt. ` +
        "(Said once per URL.)",
    );
  }
}
