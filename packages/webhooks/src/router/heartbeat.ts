// While a delivery holds an event (waiting for its call, then running the handler), its claim, pending turn
// and call lease are renewed every leaseMs / 3. An instance that dies stops renewing, so what it held lapses
// within one lease and a redelivery is handled elsewhere; a handler that runs long keeps what it holds.

export interface Heartbeat {
  /** The claim was found taken over or lapsed: another copy may be handled. */
  readonly lost: boolean;
  stop(): void;
}

export function startHeartbeat(
  renew: () => Promise<boolean>,
  everyMs: number,
  report: (error: unknown) => void,
): Heartbeat {
  let stopped = false;
  let lost = false;
  let reported = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const beat = async () => {
    try {
      if (!(await renew())) lost = true;
    } catch (error) {
      // A store blip: the next beat tries again; the claim lapses only if the store stays away a whole lease.
      if (!reported) report(error);
      reported = true;
    }
    if (!stopped && !lost) timer = setTimeout(beat, everyMs);
  };
  timer = setTimeout(beat, everyMs);
  return {
    get lost() {
      return lost;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
