// Where the spec comes from: --spec PATH, else $TELNYX_OPENAPI_SPEC, else the pin in spec/pin.json
// (looked for in ../shared/telnyx-openapi/, else downloaded from the pinned URL and checked by sha256).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface Pin {
  file: string;
  url: string;
  commit: string;
  date: string;
  sha256: string;
}

export interface SpecSource {
  /** Human-readable origin: a path or the pinned URL. */
  origin: string;
  /** True when this is the pinned spec (sha256 checked). */
  pinned: boolean;
  text: string;
  sha256: string;
}

export class SpecSourceError extends Error {
  override name = "SpecSourceError";
}

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

export function readPin(root: string): Pin {
  return JSON.parse(readFileSync(join(root, "spec", "pin.json"), "utf8")) as Pin;
}

export async function loadSpec(root: string, explicit: string | undefined): Promise<SpecSource> {
  const given = explicit ?? process.env.TELNYX_OPENAPI_SPEC;
  if (given) {
    const path = resolve(given);
    if (!existsSync(path)) {
      throw new SpecSourceError(`spec file not found: ${path} (from ${explicit ? "--spec" : "TELNYX_OPENAPI_SPEC"})`);
    }
    const bytes = readFileSync(path);
    return { origin: path, pinned: false, text: bytes.toString("utf8"), sha256: sha256(bytes) };
  }
  const pin = readPin(root);
  const local = join(root, "..", "shared", "telnyx-openapi", pin.file);
  let bytes: Uint8Array;
  let origin: string;
  if (existsSync(local)) {
    bytes = readFileSync(local);
    origin = local;
  } else {
    origin = pin.url;
    bytes = await download(pin.url, local);
  }
  const actual = sha256(bytes);
  if (actual !== pin.sha256) {
    throw new SpecSourceError(
      `sha256 mismatch for the pinned spec ${origin}: spec/pin.json expects ${pin.sha256}, the file has ${actual}. ` +
        "Restore the original file, or re-pin with `pnpm generate --spec <file> --pin`.",
    );
  }
  return { origin, pinned: true, text: Buffer.from(bytes).toString("utf8"), sha256: actual };
}

async function download(url: string, lookedFor: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    throw new SpecSourceError(
      `the pinned spec is not at ${lookedFor} and downloading ${url} failed (${(cause as Error).message}). ` +
        "Pass --spec <file> or set TELNYX_OPENAPI_SPEC.",
    );
  }
  if (!res.ok) throw new SpecSourceError(`downloading ${url} answered HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
