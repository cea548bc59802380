// The Voice slice: the operations and webhooks named in spec/slice.yaml, plus every component they
// reach through $ref, transitively, and nothing else.
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

export interface SliceConfig {
  paths: string[];
  webhooks: string[];
}

export type Doc = Record<string, unknown> & {
  paths?: Record<string, Record<string, unknown>>;
  webhooks?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
};

export interface Slice {
  doc: Doc;
  operations: string[];
  webhooks: string[];
  /** Component pointers (e.g. `#/components/schemas/CallRequest`) reached from paths / from webhooks. */
  reachedFromPaths: Set<string>;
  reachedFromWebhooks: Set<string>;
  /** Slice patterns that matched nothing in this spec (renamed or dropped upstream). */
  unmatched: string[];
}

export function pathMatcher(pattern: string): (path: string) => boolean {
  const segments = pattern.split("/");
  return (path) => {
    const parts = path.split("/");
    return parts.length === segments.length && segments.every((s, i) => s === "*" || s === parts[i]);
  };
}

export function sliceSpec(doc: Doc, config: SliceConfig): Slice {
  const matchers = config.paths.map(pathMatcher);
  const hookPatterns = config.webhooks.map((w) => new RegExp(w, "i"));
  const paths: Record<string, Record<string, unknown>> = {};
  const operations: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!matchers.some((m) => m(path))) continue;
    paths[path] = item;
    for (const method of METHODS) if (item[method]) operations.push(`${method.toUpperCase()} ${path}`);
  }
  const unmatched = config.paths.filter((pattern) => !Object.keys(paths).some(pathMatcher(pattern)));
  const webhooks: Record<string, Record<string, unknown>> = {};
  for (const [name, item] of Object.entries(doc.webhooks ?? {})) {
    if (hookPatterns.some((re) => re.test(name))) webhooks[name] = item;
  }
  unmatched.push(...config.webhooks.filter((w) => !Object.keys(webhooks).some((name) => new RegExp(w, "i").test(name))));

  const reachedFromPaths = reach(doc, paths);
  const reachedFromWebhooks = reach(doc, webhooks);
  const kept = new Set([...reachedFromPaths, ...reachedFromWebhooks]);
  for (const name of securitySchemeNames(doc, paths)) kept.add(`#/components/securitySchemes/${name}`);

  const components: Record<string, Record<string, unknown>> = {};
  for (const pointer of [...kept].sort()) {
    const [, , section, name] = pointer.split("/") as [string, string, string, string];
    const key = unescapePointer(name);
    const value = doc.components?.[section]?.[key];
    if (value === undefined) throw new Error(`dangling $ref ${pointer}`);
    components[section] ??= {};
    components[section][key] = value;
  }
  const out: Doc = { openapi: doc.openapi, info: doc.info, paths, webhooks, components };
  for (const key of ["servers", "security"]) if (doc[key] !== undefined) out[key] = doc[key];
  return { doc: out, operations, webhooks: Object.keys(webhooks), reachedFromPaths, reachedFromWebhooks, unmatched };
}

/** Every `#/components/...` pointer reachable from `roots`, following refs through components. */
function reach(doc: Doc, roots: unknown): Set<string> {
  const seen = new Set<string>();
  const stack: unknown[] = [roots];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") {
        const pointer = componentPointer(v);
        if (!seen.has(pointer)) {
          seen.add(pointer);
          stack.push(resolvePointer(doc, pointer));
        }
      } else if (k === "discriminator" && v && typeof v === "object") {
        // mapping values are refs too (openapi-typescript follows them)
        const mapping = (v as { mapping?: Record<string, string> }).mapping ?? {};
        for (const ref of Object.values(mapping)) stack.push({ $ref: ref });
      } else if (typeof v === "object") {
        stack.push(v);
      }
    }
  }
  return seen;
}

function componentPointer(ref: string): string {
  const m = /^#\/components\/([^/]+)\/([^/]+)/.exec(ref);
  if (!m) throw new Error(`unsupported $ref (only #/components/... refs are followed): ${ref}`);
  return `#/components/${m[1]}/${m[2]}`;
}

function resolvePointer(doc: Doc, pointer: string): unknown {
  let node: unknown = doc;
  for (const part of pointer.slice(2).split("/")) node = (node as Record<string, unknown> | undefined)?.[unescapePointer(part)];
  if (node === undefined) throw new Error(`dangling $ref ${pointer}`);
  return node;
}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, "/").replace(/~0/g, "~");
}

function securitySchemeNames(doc: Doc, paths: Record<string, Record<string, unknown>>): Set<string> {
  const names = new Set<string>();
  const add = (reqs: unknown) => {
    if (Array.isArray(reqs)) for (const r of reqs) for (const n of Object.keys(r ?? {})) names.add(n);
  };
  add(doc.security);
  for (const item of Object.values(paths)) for (const m of METHODS) add((item[m] as { security?: unknown } | undefined)?.security);
  return names;
}
