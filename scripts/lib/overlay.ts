// A small OpenAPI Overlay 1.0 applier: fixes to spec quirks live in spec/overlay.yaml, never in
// generated files. Targets use a JSONPath subset: `$`, `.name`, `['name']` and the `*` wildcard,
// which is all our fixes need; a target that matches nothing is reported (upstream may have fixed it).
export interface OverlayAction {
  target: string;
  description?: string;
  update?: unknown;
  remove?: boolean;
}

export interface Overlay {
  overlay: string;
  info?: { title?: string; version?: string };
  actions: OverlayAction[];
}

type Json = Record<string, unknown> | unknown[];

export function parseTarget(target: string): string[] {
  if (!target.startsWith("$")) throw new Error(`overlay target must start with $: ${target}`);
  const segments: string[] = [];
  const re = /\.([^.[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[\*\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < target.length) {
    const start = re.lastIndex;
    const m = re.exec(target);
    if (!m || m.index !== start) throw new Error(`unsupported overlay target syntax at ${target.slice(start)} in ${target}`);
    segments.push(m[1] ?? m[2] ?? m[3] ?? "*");
  }
  return segments;
}

/** Applies the overlay in place; returns the targets that matched nothing. */
export function applyOverlay(doc: Record<string, unknown>, overlay: Overlay): string[] {
  const unmatched: string[] = [];
  for (const action of overlay.actions) {
    const segments = parseTarget(action.target);
    const parentSegments = segments.slice(0, -1);
    const last = segments[segments.length - 1];
    let hits = 0;
    for (const parent of select(doc, parentSegments)) {
      const keys = last === undefined ? [] : last === "*" ? Object.keys(parent) : [last];
      for (const key of keys) {
        const container = parent as Record<string, unknown>;
        if (!(key in container)) continue;
        hits++;
        if (action.remove) {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete container[key];
        } else if (action.update !== undefined) {
          container[key] = merge(container[key], action.update);
        }
      }
    }
    if (hits === 0) unmatched.push(action.target);
  }
  return unmatched;
}

function select(node: unknown, segments: string[]): Json[] {
  let current: unknown[] = [node];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const n of current) {
      if (!n || typeof n !== "object") continue;
      const values = segment === "*" ? Object.values(n) : [(n as Record<string, unknown>)[segment]];
      for (const v of values) if (v !== undefined) next.push(v);
    }
    current = next;
  }
  return current.filter((n): n is Json => !!n && typeof n === "object");
}

// Overlay 1.0 update semantics: objects merge recursively, arrays are appended to, scalars replace.
function merge(target: unknown, update: unknown): unknown {
  if (Array.isArray(target)) return Array.isArray(update) ? [...target, ...update] : [...target, update];
  if (isObject(target) && isObject(update)) {
    const out: Record<string, unknown> = { ...target };
    for (const [k, v] of Object.entries(update)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return update;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}
