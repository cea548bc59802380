// The runtime frame check: walks the subset of JSON Schema that spec/media-stream.yaml may use (the codegen
// refuses any other keyword) over a parsed frame, and says where the first mismatch is. Small on purpose: a
// general validator (ajv) would compile code at run time, which Workers forbid, and weigh more than the rest
// of this package.

/** One schema of generated/frame-schemas.ts. */
export interface FrameSchema {
  readonly type?: "object" | "string" | "integer" | "number" | "boolean" | "array";
  readonly properties?: Readonly<Record<string, FrameSchema>>;
  readonly required?: readonly string[];
  readonly const?: string | number | boolean;
  readonly enum?: readonly (string | number)[];
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly additionalProperties?: FrameSchema;
  readonly items?: FrameSchema;
  readonly anyOf?: readonly FrameSchema[];
}

const patterns = new Map<string, RegExp>();

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.length > 40 ? "a long string" : JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** `undefined` when `value` fits `schema`; else what is wrong and where ("start.media_format.sample_rate: ..."). */
export function checkSchema(schema: FrameSchema, value: unknown, path: string): string | undefined {
  return check(schema, value, [path]);
}

// The path is a stack of segments (".name", "[i]") joined only when something is wrong: a frame that fits, as
// nearly every frame does, builds no strings.
function where(trail: string[]): string {
  return trail.join("");
}

const entriesOf = new WeakMap<Readonly<Record<string, FrameSchema>>, [string, FrameSchema][]>();

function propertiesOf(schema: FrameSchema): [string, FrameSchema][] {
  const properties = schema.properties;
  if (!properties) return [];
  let entries = entriesOf.get(properties);
  if (!entries) {
    entries = Object.entries(properties);
    entriesOf.set(properties, entries);
  }
  return entries;
}

function check(schema: FrameSchema, value: unknown, trail: string[]): string | undefined {
  if (schema.anyOf) {
    let first: string | undefined;
    for (const option of schema.anyOf) {
      const problem = check(option, value, trail);
      if (problem === undefined) return undefined;
      first ??= problem;
    }
    return first;
  }
  if (schema.const !== undefined && value !== schema.const) {
    return `${where(trail)}: expected ${JSON.stringify(schema.const)}, got ${describe(value)}`;
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    return `${where(trail)}: expected one of ${schema.enum.join(", ")}, got ${describe(value)}`;
  }
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return `${where(trail)}: expected an object, got ${describe(value)}`;
      }
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? []) {
        if (record[name] === undefined) return `${where(trail)}.${name}: missing`;
      }
      for (const [name, sub] of propertiesOf(schema)) {
        const item = record[name];
        if (item === undefined) continue;
        trail.push(`.${name}`);
        const problem = check(sub, item, trail);
        trail.pop();
        if (problem) return problem;
      }
      if (schema.additionalProperties) {
        for (const name in record) {
          if (!Object.hasOwn(record, name) || (schema.properties && Object.hasOwn(schema.properties, name))) continue;
          trail.push(`.${name}`);
          const problem = check(schema.additionalProperties, record[name], trail);
          trail.pop();
          if (problem) return problem;
        }
      }
      return undefined;
    }
    case "array": {
      if (!Array.isArray(value)) return `${where(trail)}: expected an array, got ${describe(value)}`;
      if (schema.items) {
        for (let i = 0; i < value.length; i++) {
          trail.push(`[${i}]`);
          const problem = check(schema.items, value[i], trail);
          trail.pop();
          if (problem) return problem;
        }
      }
      return undefined;
    }
    case "string": {
      if (typeof value !== "string") return `${where(trail)}: expected a string, got ${describe(value)}`;
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        return `${where(trail)}: longer than ${schema.maxLength} characters`;
      }
      if (schema.pattern !== undefined) {
        let pattern = patterns.get(schema.pattern);
        if (!pattern) {
          pattern = new RegExp(schema.pattern);
          patterns.set(schema.pattern, pattern);
        }
        if (!pattern.test(value)) return `${where(trail)}: ${describe(value)} does not match ${schema.pattern}`;
      }
      return undefined;
    }
    case "integer":
    case "number": {
      if (
        typeof value !== "number" ||
        !Number.isFinite(value) ||
        (schema.type === "integer" && !Number.isInteger(value))
      ) {
        return `${where(trail)}: expected ${schema.type === "integer" ? "an integer" : "a number"}, got ${describe(value)}`;
      }
      if (schema.minimum !== undefined && value < schema.minimum)
        return `${where(trail)}: ${value} is below ${schema.minimum}`;
      return undefined;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : `${where(trail)}: expected true or false, got ${describe(value)}`;
    default:
      return undefined;
  }
}
