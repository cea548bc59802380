import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import type { Doc } from "../lib/slice.ts";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const sharedSpecs = join(root, "..", "shared", "telnyx-openapi");
export const currentSpec = join(sharedSpecs, "spec3.2026-07-16.yml");
export const olderSpec = join(sharedSpecs, "spec3.2026-04-07.yml");

const cache = new Map<string, Doc>();
/** Parsed once per test file: the YAML parse is the slow part. */
export function loadDoc(path: string): Doc {
  if (!cache.has(path)) cache.set(path, yaml.load(readFileSync(path, "utf8")) as Doc);
  return structuredClone(cache.get(path) as Doc);
}

export function readYaml<T>(path: string): T {
  return yaml.load(readFileSync(path, "utf8")) as T;
}
