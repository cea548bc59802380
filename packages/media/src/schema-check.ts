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
  if (schema.anyOf) {
    const problems = schema.anyOf.map((option) => checkSchema(option, value, path));
    if (problems.includes(undefined)) return undefined;
    return problems[0];
  }
  if (schema.const !== undefined && value !== schema.const) {
    return `${path}: expected ${JSON.stringify(schema.const)}, got ${describe(value)}`;
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    return `${path}: expected one of ${schema.enum.join(", ")}, got ${describe(value)}`;
  }
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return `${path}: expected an object, got ${describe(value)}`;
      }
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? []) {
        if (record[name] === undefined) return `${join(path, name)}: missing`;
      }
      for (const [name, sub] of Object.entries(schema.properties ?? {})) {
        if (record[name] === undefined) continue;
        const problem = checkSchema(sub, record[name], join(path, name));
        if (problem) return problem;
      }
      if (schema.additionalProperties) {
        for (const [name, item] of Object.entries(record)) {
          if (schema.properties && name in schema.properties) continue;
          const problem = checkSchema(schema.additionalProperties, item, join(path, name));
          if (problem) return problem;
        }
      }
      return undefined;
    }
    case "array": {
      if (!Array.isArray(value)) return `${path}: expected an array, got ${describe(value)}`;
      if (schema.items) {
        for (let i = 0; i < value.length; i++) {
          const problem = checkSchema(schema.items, value[i], `${path}[${i}]`);
          if (problem) return problem;
        }
      }
      return undefined;
    }
    case "string": {
      if (typeof value !== "string") return `${path}: expected a string, got ${describe(value)}`;
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        return `${path}: longer than ${schema.maxLength} characters`;
      }
      if (schema.pattern !== undefined) {
        let pattern = patterns.get(schema.pattern);
        if (!pattern) {
          pattern = new RegExp(schema.pattern);
          patterns.set(schema.pattern, pattern);
        }
        if (!pattern.test(value)) return `${path}: ${describe(value)} does not match ${schema.pattern}`;
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
        return `${path}: expected ${schema.type === "integer" ? "an integer" : "a number"}, got ${describe(value)}`;
      }
      if (schema.minimum !== undefined && value < schema.minimum) return `${path}: ${value} is below ${schema.minimum}`;
      return undefined;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : `${path}: expected true or false, got ${describe(value)}`;
    default:
      return undefined;
  }
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
