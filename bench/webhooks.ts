// Verifications per second through `webhooks.verify` against node:crypto's own verify, side by side, and
// signatures per second through the shared signer (`signSync`, as the simulator signs every delivery)
// against node:crypto's own sign. Each case runs in batches, in rotating order over many rounds, so noise
// hits every case alike.
import { createPublicKey, generateKeyPairSync, verify as nativeVerify, sign } from "node:crypto";
import { Webhooks } from "@telnyx-voice/webhooks";
import { nobleCrypto, webCrypto } from "@telnyx-voice/webhooks/crypto";
import { createSigner } from "@telnyx-voice/webhooks/testing";
import { TelnyxWebhook } from "telnyx/lib/webhooks";
import { median } from "./lib/measure.ts";
import { type BenchRow, printTable } from "./lib/table.ts";

/** A call.answered webhook as Telnyx sends it, about 1 KB. */
function realisticBody(): string {
  return JSON.stringify({
    data: {
      record_type: "event",
      event_type: "call.answered",
      id: "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
      occurred_at: "2026-07-16T12:31:08.345123Z",
      payload: {
        call_control_id: "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
        call_leg_id: "2dc6fc34-f9e0-11ea-b68e-02420a0f7768",
        call_session_id: "2dc1b3c8-f9e0-11ea-bc5a-02420a0f7768",
        client_state: Buffer.from(JSON.stringify({ tenant: "acme-support", flow: "ivr-main", step: 3 })).toString(
          "base64",
        ),
        connection_id: "1684641123236054244",
        from: "+13125550100",
        to: "+13125550199",
        direction: "incoming",
        state: "answered",
        start_time: "2026-07-16T12:31:04.345123Z",
        custom_headers: [
          { name: "X-Campaign", value: "summer-2026" },
          { name: "X-Correlation-Id", value: "7f1d2a1e-9a55-4a0d-9f5e-1b1b0c1e2f3a" },
        ],
        sip_headers: [
          { name: "User-to-User", value: "3132333435363738393a3b3c3d3e3f;encoding=hex" },
          { name: "P-Asserted-Identity", value: "<sip:+13125550100@sip.telnyx.com>" },
          { name: "Diversion", value: "<sip:+13125550111@sip.example.com>;reason=unconditional" },
        ],
        tags: ["support", "tier-2", "english"],
      },
    },
    meta: { attempt: 1, delivered_to: "https://api.example.com/webhooks/telnyx/voice" },
  });
}

type Case = () => Promise<number>;

/** Runs `batch` calls of `fn` and returns calls per second. */
function throughput(batch: number, fn: () => unknown): Case {
  return async () => {
    const start = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    return (batch * 1000) / (performance.now() - start);
  };
}

async function interleavedAsync(cases: Record<string, Case>, rounds: number): Promise<Record<string, number>> {
  const names = Object.keys(cases);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as string;
      samples[name]?.push(await (cases[name] as Case)());
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n] as number[])]));
}

const perSecond = (v: number) => `${Math.round(v).toLocaleString("en-US")} verifications/s`;

export async function run(rounds = 21): Promise<BenchRow[]> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x as string;
  const publicKeyBase64 = Buffer.from(x, "base64url").toString("base64");
  const body = realisticBody();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const message = Buffer.from(`${timestamp}|${body}`);
  const signature = sign(null, message, privateKey);
  // As Node's http module hands them over: lower-case names, among the other headers of a real request.
  const headers = {
    host: "api.example.com",
    "user-agent": "telnyx-webhooks",
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "telnyx-timestamp": timestamp,
    "telnyx-signature-ed25519": signature.toString("base64"),
  };

  const keyObject = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  const node = new Webhooks({ publicKey: publicKeyBase64 });
  const web = new Webhooks({ publicKey: publicKeyBase64, crypto: webCrypto });
  const noble = new Webhooks({ publicKey: publicKeyBase64, crypto: nobleCrypto });
  const official = new TelnyxWebhook(publicKeyBase64);
  if (node.cryptoProvider !== "node:crypto")
    throw new Error(`expected the node:crypto build, got ${node.cryptoProvider}`);
  for (const w of [node, web, noble]) await w.verify(body, headers);
  await official.verify(body, headers);
  if (!nativeVerify(null, message, keyObject, signature)) throw new Error("native verify failed");

  // The signer takes the base64 seed, as the simulator's keyPair.privateKey holds it.
  const seed = privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32).toString("base64");
  const signer = createSigner(seed);
  const signSync = signer.signSync;
  if (signer.implementation !== "node:crypto" || signSync === undefined) {
    throw new Error(`expected the node:crypto build of ./testing, got ${signer.implementation}`);
  }
  if (signSync(body, Number(timestamp))["telnyx-signature-ed25519"] !== signature.toString("base64")) {
    throw new Error("the shared signer's signature differs from node:crypto's");
  }
  // What the simulator did before the shared signer: node:crypto with a KeyObject, Buffer for the rest.
  const nativeSign = () => {
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      "telnyx-timestamp": ts,
      "telnyx-signature-ed25519": sign(null, Buffer.from(`${ts}|${body}`), privateKey).toString("base64"),
    };
  };

  const t = await interleavedAsync(
    {
      native: throughput(2000, () => nativeVerify(null, message, keyObject, signature)),
      nativeSign: throughput(1000, nativeSign),
      signSync: throughput(1000, () => signSync(body)),
      node: throughput(2000, () => node.verify(body, headers)),
      web: throughput(1000, () => web.verify(body, headers)),
      noble: throughput(60, () => noble.verify(body, headers)),
      official: throughput(500, () => official.verify(body, headers)),
    },
    rounds,
  );
  const n = (name: string) => t[name] as number;
  const native = `crypto.verify + KeyObject: ${perSecond(n("native"))}`;
  const signatures = (v: number) => `${Math.round(v).toLocaleString("en-US")} signatures/s`;
  const bytes = `${Buffer.byteLength(body)} B call.answered`;
  return [
    {
      metric: `webhooks.verify (node:crypto build), ${bytes}`,
      ours: perSecond(n("node")),
      baseline: native,
      ratio: n("node") / n("native"),
      better: "higher",
      target: ">= 0.90x",
      pass: n("node") / n("native") >= 0.9,
    },
    {
      metric: "webhooks.verify (Web Crypto provider)",
      ours: perSecond(n("web")),
      baseline: native,
      ratio: n("web") / n("native"),
      better: "higher",
    },
    {
      metric: "webhooks.verify (@noble/ed25519 provider)",
      ours: perSecond(n("noble")),
      baseline: native,
      ratio: n("noble") / n("native"),
      better: "higher",
    },
    {
      metric: `webhooks/testing createSigner().signSync (node:crypto build), ${bytes}`,
      ours: signatures(n("signSync")),
      baseline: `crypto.sign + KeyObject: ${signatures(n("nativeSign"))}`,
      ratio: n("signSync") / n("nativeSign"),
      better: "higher",
      target: ">= 0.90x",
      pass: n("signSync") / n("nativeSign") >= 0.9,
    },
    {
      metric: "webhooks.verify (node:crypto build) vs official SDK",
      ours: perSecond(n("node")),
      baseline: `telnyx TelnyxWebhook.verify: ${perSecond(n("official"))}`,
      ratio: n("node") / n("official"),
      better: "higher",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) printTable("Webhook verification", await run());
