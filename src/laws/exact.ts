/**
 * Double-double arithmetic (about 106 significant bits) for the laws' own
 * expected values. Why: a law must compute what it expects from its own statement,
 * never from the reference; doing so in double-double makes the law's own error
 * (relative ~2^-104 per operation) negligible, so every tolerance only has to
 * cover the implementation under test plus one final rounding of the expectation.
 * Inputs are finite and below ~1e300 in magnitude (Veltkamp splitting overflows past that);
 * in the subnormal range results lose relative accuracy as doubles do, which the laws'
 * absolute underflow terms cover.
 * The error-free transformations below repeat those of src/numerics/correctly-rounded.ts on
 * purpose: the laws judge the reference too, so they share no arithmetic with it.
 */

/** The unevaluated sum `hi + lo`, `|lo| <= ulp(hi) / 2`. */
export interface DD {
  readonly hi: number;
  readonly lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's splitting constant for doubles

/** A double as a double-double (exact). */
export function dd(value: number): DD {
  return { hi: value, lo: 0 };
}

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

function fastTwoSum(a: number, b: number): DD {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

/** Normalises so that non-finite results stay visible as `hi` (lo would be NaN). */
function finish(r: DD): DD {
  return Number.isFinite(r.hi) ? r : { hi: r.hi, lo: 0 };
}

/** `a + b`. */
export function add(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  const u = fastTwoSum(s.hi, s.lo + t.hi);
  return finish(fastTwoSum(u.hi, u.lo + t.lo));
}

/** `-a`. */
export function neg(a: DD): DD {
  return { hi: -a.hi, lo: -a.lo };
}

/** `a - b`. */
export function sub(a: DD, b: DD): DD {
  return add(a, neg(b));
}

/** `a * b`. */
export function mul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return finish(fastTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi)));
}

/** `a / b` (two Newton corrections of the double quotient). */
export function div(a: DD, b: DD): DD {
  const q1 = a.hi / b.hi;
  if (!Number.isFinite(q1) || q1 === 0) return { hi: q1, lo: 0 };
  const r1 = sub(a, mul(dd(q1), b));
  const q2 = r1.hi / b.hi;
  const r2 = sub(r1, mul(dd(q2), b));
  const q3 = r2.hi / b.hi;
  return add(fastTwoSum(q1, q2), dd(q3));
}

/** `sqrt(a)` for `a >= 0` (one Newton correction). */
export function sqrt(a: DD): DD {
  if (a.hi <= 0) return { hi: Math.sqrt(a.hi), lo: 0 };
  const q = Math.sqrt(a.hi);
  const r = sub(a, twoProd(q, q));
  return add(dd(q), dd(r.hi / (2 * q)));
}

/** `a ** n` for an integer `n >= 0`, by binary powering. */
export function powInt(a: DD, n: number): DD {
  let result = dd(1);
  let base = a;
  let e = n;
  while (e > 0) {
    if (e % 2 === 1) result = mul(result, base);
    e = Math.floor(e / 2);
    if (e > 0) base = mul(base, base);
  }
  return result;
}

const LN2: DD = { hi: Math.LN2, lo: 2.3190468138462996e-17 };

/**
 * `exp(a)`: `a = m ln2 + r`, `exp(r / 1024)` by its Taylor series, squared ten
 * times, scaled by `2^m`. Returns 0 below the double range and Infinity above it.
 */
export function exp(a: DD): DD {
  if (a.hi < -745.2) return dd(0);
  if (a.hi > 709.8) return dd(Number.POSITIVE_INFINITY);
  const m = Math.round(a.hi / LN2.hi);
  const r = sub(a, mul(LN2, dd(m)));
  const s = mul(r, dd(1 / 1024));
  let term = dd(1);
  let sum = dd(1);
  for (let n = 1; n <= 24; n++) {
    term = div(mul(term, s), dd(n));
    sum = add(sum, term);
  }
  for (let i = 0; i < 10; i++) sum = mul(sum, sum);
  // 2^m as two factors so that neither overflows nor underflows on its own.
  const half = Math.trunc(m / 2);
  return mul(mul(sum, dd(2 ** half)), dd(2 ** (m - half)));
}

/** The double nearest to `a` (one rounding). */
export function toNumber(a: DD): number {
  return a.hi + a.lo;
}
