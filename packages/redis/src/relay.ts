// The relay between instances, for @telnyx-voice/flows: each instance listens on a channel of its own; a message
// carries an id and its sender, and the reply comes back on the sender's channel. Pub/sub, so a message to an
// instance that no longer listens reaches no one, and PUBLISH says so at once (0 receivers).
import type { Relay } from "@telnyx-voice/webhooks";

/** What the relay needs of a node-redis client made for listening (`client.duplicate()`, connected). */
export interface Subscriber {
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  close(): Promise<unknown>;
}

type Wire = { k: "m"; id: string; from: string; body: string } | { k: "r"; id: string; reply?: string; error?: string };

interface RelayParts {
  instance: string;
  channelOf: (instance: string) => string;
  subscriber: Subscriber;
  publish: (channel: string, message: string) => Promise<number>;
  onMessage: (message: string) => Promise<string>;
}

export async function openRelay(parts: RelayParts): Promise<Relay> {
  const { instance, channelOf, subscriber, publish, onMessage } = parts;
  const waiting = new Map<string, { resolve(reply: string): void; reject(error: Error): void }>();
  let closed = false;
  let counter = 0;

  const answer = async (to: string, id: string, work: Promise<string>) => {
    let wire: Wire;
    try {
      wire = { k: "r", id, reply: await work };
    } catch (error) {
      wire = { k: "r", id, error: error instanceof Error ? error.message : String(error) };
    }
    // The sender gave up or died: nobody to tell, and nothing to do about it here.
    await publish(channelOf(to), JSON.stringify(wire)).catch(() => undefined);
  };

  await subscriber.subscribe(channelOf(instance), (raw) => {
    let wire: Wire;
    try {
      wire = JSON.parse(raw) as Wire;
    } catch {
      return;
    }
    if (wire.k === "m") {
      void answer(wire.from, wire.id, Promise.resolve().then(() => onMessage(wire.body)));
      return;
    }
    const sender = waiting.get(wire.id);
    if (!sender) return;
    if (wire.error !== undefined) sender.reject(new Error(`the receiving instance failed to handle the message: ${wire.error}`));
    else sender.resolve(wire.reply ?? "");
  });

  return {
    async send(to, message, timeoutMs) {
      if (closed) throw new Error("the relay is closed");
      const id = `${instance}:${++counter}`;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const reply = new Promise<string>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        timer = setTimeout(() => reject(new Error(`instance ${to} did not reply within ${timeoutMs} ms`)), timeoutMs);
      }).finally(() => {
        clearTimeout(timer);
        waiting.delete(id);
      });
      reply.catch(() => undefined);
      const receivers = await publish(channelOf(to), JSON.stringify({ k: "m", id, from: instance, body: message }));
      if (receivers === 0) {
        clearTimeout(timer);
        waiting.delete(id);
        return { delivered: false };
      }
      return { delivered: true, reply: await reply };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sender of waiting.values()) sender.reject(new Error("the relay was closed"));
      await subscriber.close();
    },
  };
}
