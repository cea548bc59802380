// Decodes an Ed25519 public key as a point of edwards25519 and says whether it is of prime order.
// node:crypto (OpenSSL) and Web Crypto import any 32 bytes and verify against small-order keys, under which
// hand-made signatures verify for every message; this check is what refuses those keys, whatever provider
// verifies. It runs once per key, at construction, so it is written for size and clarity, not speed.

const P = 2n ** 255n - 19n;
/** The order of the prime-order subgroup (the base point's order). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** What is wrong with a key as a point, or `undefined` for the canonical encoding of a point of order L. */
export type PointProblem =
  | { kind: "non_canonical" }
  | { kind: "not_on_curve" }
  | { kind: "small_order"; order: 1 | 2 | 4 | 8 }
  | { kind: "mixed_order" };

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

// Computed rather than written out (fewer bytes in a browser bundle), on first use rather than at import.
/** d = -121665 / 121666 mod p, the curve constant of -x² + y² = 1 + d·x²·y². */
let D = 0n;
/** A square root of -1: 2 is not a square mod p (p = 5 mod 8), so 2^((p-1)/4) squares to -1. */
let SQRT_M1 = 0n;

/** Extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z. */
type Point = readonly [bigint, bigint, bigint, bigint];

const IDENTITY: Point = [0n, 1n, 1n, 0n];

// The complete addition law for a = -1 (add-2008-hwcd-3): valid for doubling and the identity too,
// so one formula serves the whole ladder.
function add([x1, y1, z1, t1]: Point, [x2, y2, z2, t2]: Point): Point {
  const a = mod((y1 - x1) * (y2 - x2));
  const b = mod((y1 + x1) * (y2 + x2));
  const c = mod(2n * D * t1 * t2);
  const d = mod(2n * z1 * z2);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function multiply(point: Point, scalar: bigint): Point {
  let result = IDENTITY;
  for (let i = BigInt(scalar.toString(2).length - 1); i >= 0n; i--) {
    result = add(result, result);
    if ((scalar >> i) & 1n) result = add(result, point);
  }
  return result;
}

const isIdentity = ([x, y, z]: Point): boolean => x === 0n && mod(y - z) === 0n;

/** RFC 8032 section 5.1.3 decoding, strict: y < p, and no x = 0 with the sign bit set. */
function decode(bytes: Uint8Array): Point | "non_canonical" | "not_on_curve" {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt((bytes[i] ?? 0) & (i === 31 ? 0x7f : 0xff));
  const sign = ((bytes[31] ?? 0) >> 7) & 1;
  if (y >= P) return "non_canonical";
  const y2 = (y * y) % P;
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  // x = u·v³·(u·v⁷)^((p-5)/8), then fixed up by sqrt(-1) when it squares to -u/v.
  const v3 = (v * v * v) % P;
  let x = (u * v3 * pow(u * v3 * ((v3 * v) % P), (P - 5n) / 8n)) % P;
  const vx2 = (v * x * x) % P;
  if (vx2 === mod(-u)) x = (x * SQRT_M1) % P;
  else if (vx2 !== u) return "not_on_curve";
  if (x === 0n && sign === 1) return "non_canonical";
  if (Number(x & 1n) !== sign) x = P - x;
  return [x, y, 1n, (x * y) % P];
}

/** Checks that 32 bytes are the canonical encoding of a point of prime order L. */
export function pointProblem(bytes: Uint8Array): PointProblem | undefined {
  D ||= mod(-121665n * pow(121666n, P - 2n));
  SQRT_M1 ||= pow(2n, (P - 1n) / 4n);
  const point = decode(bytes);
  if (point === "non_canonical" || point === "not_on_curve") return { kind: point };
  // L is prime, so [L]P = identity with P != identity means P has order exactly L.
  if (!isIdentity(point) && isIdentity(multiply(point, L))) return undefined;
  let multiple = point;
  for (const order of [1, 2, 4, 8] as const) {
    if (isIdentity(multiple)) return { kind: "small_order", order };
    multiple = add(multiple, multiple);
  }
  return { kind: "mixed_order" };
}
