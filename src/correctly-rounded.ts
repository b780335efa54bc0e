/**
 * `x ** n` and `exp(x)` rounded correctly (to nearest), via double-double arithmetic.
 *
 * Why: JavaScript's `**` and `Math.exp` are not correctly rounded (V8 differs from
 * the correctly rounded value by an ULP on about 7% of `beta ** t` and 10% of
 * `exp(-k * t)` values), and neither are glibc's `pow` and `exp` behind CPython and
 * NumPy, but glibc misses far less often (about 0.2% of the schedule tables' values,
 * e.g. `0.99 ** 503`). Computing the exact value to about 2^-100 and rounding once
 * reproduces every Adam fixture bit for bit; the schedule tables keep a measured
 * 1-ULP bound for glibc's misses (src/golden-bounds.ts).
 */

/** A double-double: the unevaluated sum `hi + lo` with `|lo| <= ulp(hi) / 2`. */
interface DD {
  hi: number;
  lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's splitting constant for doubles

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

function mul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return fastTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

function add(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  return fastTwoSum(s.hi, s.lo + a.lo + b.lo);
}

function divSmall(a: DD, k: number): DD {
  const q = a.hi / k;
  const p = twoProd(q, k);
  return fastTwoSum(q, (a.hi - p.hi - p.lo + a.lo) / k);
}

/**
 * Scales a double-double by 2^e. `hi` is already `hi + lo` rounded to nearest, and a
 * power-of-two scaling of a normal result is exact; only a subnormal result rounds
 * again (at most one more half-ULP there).
 */
function ldexp(a: DD, e: number): number {
  // Split the scaling so that no intermediate power of two overflows or underflows.
  let hi = a.hi;
  while (e > 600) {
    hi *= 2 ** 600;
    e -= 600;
  }
  while (e < -600) {
    hi *= 2 ** -600;
    e += 600;
  }
  return hi * 2 ** e;
}

/** Splits a positive finite double into `m * 2^e` with `m` in [0.5, 1), exactly. */
function frexp(x: number): { m: number; e: number } {
  let m = x;
  let e = 0;
  if (m < 2 ** -900) {
    m *= 2 ** 600; // lifts subnormals into the normal range; exact
    e -= 600;
  }
  const shift = Math.floor(Math.log2(m)) + 1;
  m *= 2 ** -shift;
  e += shift;
  // log2 may be off by one next to a power of two; settle the last step exactly.
  if (m >= 1) {
    m /= 2;
    e++;
  } else if (m < 0.5) {
    m *= 2;
    e--;
  }
  return { m, e };
}

/** Scales a double-double so that `hi` is in [0.5, 1) (exact: a power-of-two scaling). */
function normalize(a: DD): { dd: DD; e: number } {
  const { e } = frexp(a.hi);
  const s = 2 ** -e;
  return { dd: { hi: a.hi * s, lo: a.lo * s }, e };
}

/**
 * `x ** n` for a finite `x >= 0` and an integer `n >= 0`, correctly rounded:
 * exponentiation by squaring in double-double with the binary exponent kept apart,
 * so no intermediate under- or overflows. At most 2 log2(n) products, each with
 * relative error below 2^-104: the total stays far below half an ULP.
 */
export function powInteger(x: number, n: number): number {
  if (n === 0) return 1;
  if (x === 0 || x === 1 || !Number.isFinite(x) || !Number.isSafeInteger(n) || n < 0 || x < 0) return x ** n;
  const { m, e } = frexp(x);
  let base: DD = { hi: m, lo: 0 };
  let baseExp = e;
  let result: DD = { hi: 1, lo: 0 };
  let resultExp = 0;
  let k = n;
  while (k > 0) {
    if (k & 1) {
      const next = normalize(mul(result, base));
      result = next.dd;
      resultExp += baseExp + next.e;
    }
    k = Math.floor(k / 2);
    if (k > 0) {
      const next = normalize(mul(base, base));
      base = next.dd;
      baseExp = 2 * baseExp + next.e;
    }
  }
  return ldexp(result, resultExp);
}

const LN2: DD = { hi: Math.LN2, lo: 2.3190468138462996e-17 };

/**
 * `exp(x)` correctly rounded for finite `x`: `x = n ln2 + r` with ln2 in
 * double-double, `exp(r / 2^10)` by its Taylor series in double-double, squared ten
 * times (relative error growth 2^10 * 2^-104 = 2^-94, far below half an ULP).
 */
export function expCorrectlyRounded(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x > 709.8) return Number.POSITIVE_INFINITY;
  if (x < -745.2) return 0;
  if (x === 0) return 1;
  const n = Math.round(x / LN2.hi);
  const p = twoProd(n, LN2.hi);
  let r = add(twoSum(x, -p.hi), { hi: -p.lo, lo: -n * LN2.lo });
  r = { hi: r.hi / 1024, lo: r.lo / 1024 };
  let sum: DD = { hi: 1, lo: 0 };
  for (let k = 14; k >= 1; k--) sum = add({ hi: 1, lo: 0 }, divSmall(mul(r, sum), k));
  for (let i = 0; i < 10; i++) sum = mul(sum, sum);
  return ldexp(sum, n);
}
